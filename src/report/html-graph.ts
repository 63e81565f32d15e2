// The dependency graph drawn as inline SVG: a layered layout (dependencies left, dependents right),
// one box per resource coloured by its planned action, arrows from a resource to what it needs.
import { esc } from "./html-escape.js";
import { layers, type ResourceGraph } from "./graph-data.js";

const CHAR_W = 7.2;
const BOX_H = 26;
const ROW_GAP = 14;
const COL_GAP = 60;
const PAD = 10;

export function graphSvg(graph: ResourceGraph): string {
  if (!graph.nodes.length) return '<p class="muted">No resources.</p>';
  const layerOf = layers(graph);
  const columns: string[][] = [];
  for (const n of graph.nodes) (columns[layerOf.get(n.id) ?? 0] ??= []).push(n.id);
  const widths = columns.map((col) => Math.max(...(col ?? []).map((id) => id.length * CHAR_W + 16)));
  const pos = new Map<string, { x: number; y: number; w: number }>();
  let x = PAD;
  columns.forEach((col, i) => {
    (col ?? []).forEach((id, row) => pos.set(id, { x, y: PAD + row * (BOX_H + ROW_GAP), w: widths[i]! }));
    x += (widths[i] ?? 0) + COL_GAP;
  });
  const width = Math.max(x - COL_GAP + PAD, 100);
  const height = PAD * 2 + Math.max(...columns.map((c) => (c?.length ?? 0) * (BOX_H + ROW_GAP) - ROW_GAP));
  const parts: string[] = [
    `<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" role="img" aria-label="dependency graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>',
  ];
  for (const [from, to] of graph.edges) {
    const a = pos.get(from);
    const b = pos.get(to);
    if (!a || !b) continue;
    const x1 = a.x;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x + b.w;
    const y2 = b.y + BOX_H / 2;
    const mid = (x1 + x2) / 2;
    parts.push(`<path class="edge" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}" marker-end="url(#arrow)"/>`);
  }
  for (const n of graph.nodes) {
    const p = pos.get(n.id)!;
    parts.push(
      `<g class="node act-${n.action}${n.declared ? "" : " undeclared"}"><title>${esc(n.id)}${n.action === "no-op" ? "" : `: ${esc(n.action)}`}</title>` +
        `<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${BOX_H}" rx="4"/>` +
        `<text x="${p.x + 8}" y="${p.y + BOX_H / 2 + 4}">${esc(n.id)}</text></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}
