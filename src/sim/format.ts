// pvesh output formats: canonical (key-sorted) JSON on one line, JSON::XS-style pretty JSON
// (3-space indent), and a plain text table for humans.

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function formatOutput(data: unknown, format: string): string {
  if (format === "json") return JSON.stringify(canonical(data)) + "\n";
  if (format === "json-pretty") return JSON.stringify(canonical(data), null, 3) + "\n";
  return formatText(data);
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object") return JSON.stringify(canonical(v));
  return String(v);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (l: string, m: string, r: string, f: string): string => l + widths.map((w) => f.repeat(w + 2)).join(m) + r + "\n";
  const row = (cells: string[]): string => "│" + cells.map((c, i) => ` ${c.padEnd(widths[i]!)} `).join("│") + "│\n";
  return line("┌", "┬", "┐", "─") + row(header) + line("╞", "╪", "╡", "═") + rows.map(row).join("") + line("└", "┴", "┘", "─");
}

function formatText(data: unknown): string {
  if (Array.isArray(data)) {
    if (!data.length) return "";
    if (data.every((r) => r && typeof r === "object" && !Array.isArray(r))) {
      const keys = [...new Set(data.flatMap((r) => Object.keys(r as object)))].sort();
      return table(
        keys,
        data.map((r) => keys.map((k) => cell((r as Record<string, unknown>)[k]))),
      );
    }
    return data.map(cell).join("\n") + "\n";
  }
  if (data && typeof data === "object") {
    const keys = Object.keys(data).sort();
    return table(
      ["key", "value"],
      keys.map((k) => [k, cell((data as Record<string, unknown>)[k])]),
    );
  }
  return cell(data) + "\n";
}
