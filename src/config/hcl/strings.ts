// Literal text of HCL templates: escape sequences of quoted strings, the `$${` / `%%{` escapes
// that every template knows, and `<<-` heredoc de-indentation.

export interface EscapeProblem {
  /** Index of the bad sequence within the raw text. */
  index: number;
  length: number;
  message: string;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };

/**
 * Decodes one chunk of template literal text. `quoted` is true inside "..." (backslash escapes
 * apply); heredocs only know `$${` and `%%{`.
 */
export function decodeLiteral(raw: string, quoted: boolean, problems: EscapeProblem[] = []): string {
  if (!raw.includes("\\") && !raw.includes("$${") && !raw.includes("%%{")) return raw;
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if ((ch === "$" || ch === "%") && raw[i + 1] === ch && raw[i + 2] === "{") {
      out += ch + "{";
      i += 2;
      continue;
    }
    if (ch !== "\\" || !quoted) {
      out += ch;
      continue;
    }
    const next = raw[i + 1];
    if (next !== undefined && next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 1;
      continue;
    }
    if (next === "u" || next === "U") {
      const width = next === "u" ? 4 : 8;
      const hex = raw.slice(i + 2, i + 2 + width);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === width ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        problems.push({
          index: i,
          length: Math.min(2 + width, raw.length - i),
          message: `The \\${next} escape needs exactly ${width} hexadecimal digits naming a Unicode character, like \\${next}${"0".repeat(width - 2)}e9.`,
        });
        out += raw.slice(i, i + 2);
        i += 1;
        continue;
      }
      out += String.fromCodePoint(code);
      i += 1 + width;
      continue;
    }
    problems.push({
      index: i,
      length: next === undefined ? 1 : 2,
      message:
        next === undefined
          ? "A backslash at the end of a string starts an escape sequence that never finishes. Write \\\\ for a literal backslash."
          : `The sequence \\${next} is not a valid escape. Use \\n, \\t, \\r, \\", \\\\, \\uNNNN or \\UNNNNNNNN, or write \\\\ for a literal backslash.`,
    });
    out += next === undefined ? "\\" : "\\" + next;
    i += 1;
  }
  return out;
}

/** Leading spaces/tabs of `s` starting at `from`. */
export function leadingWhitespace(s: string, from = 0): number {
  let n = 0;
  while (from + n < s.length && (s[from + n] === " " || s[from + n] === "\t")) n++;
  return n;
}
