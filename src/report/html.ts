// `pmxform show -html PLANFILE`: the plan as one self-contained HTML page (inline CSS and SVG, no
// script, no network), for a CI artifact or a pull request. It leads with what is hard to undo
// (destroys, replacements, volumes whose data is deleted, restarts), then every change with its
// reasons, drift, the dependency graph and outputs. Built from the JSON plan document only.
import { esc } from "./html-escape.js";
import { graphSvg } from "./html-graph.js";
import { resourceGraph } from "./graph-data.js";
import { REPORT_CSS } from "./html-style.js";
import { attributeRows, outputValue } from "./html-values.js";
import { actionKind, countsPhrase, hasActions, highlights, planCounts, type ActionKind, type PlanDoc, type ResourceChangeDoc } from "./plan-doc.js";

const SYMBOL: Record<ActionKind, string> = { create: "+", update: "~", delete: "-", replace: "-/+", read: "<=", "no-op": " " };
const ORDER: Record<ActionKind, number> = { delete: 0, replace: 1, update: 2, create: 3, read: 4, "no-op": 5 };

function headline(c: ResourceChangeDoc): string {
  const kind = actionKind(c.change.actions);
  if (c.deposed) return `(deposed object ${esc(c.deposed)}) will be destroyed`;
  const moved = c.previous_address ? ` (moved from ${esc(c.previous_address)})` : "";
  const imported = c.change.importing ? ` will be imported from ${esc(c.change.importing.id)}` : "";
  const words: Record<ActionKind, string> = {
    create: "will be created",
    update: "will be updated in-place",
    delete: "will be destroyed",
    replace:
      c.action_reason === "replace_by_request"
        ? "will be replaced, as requested"
        : c.action_reason === "replace_by_triggers"
          ? "will be replaced due to changes in replace_triggered_by"
          : "must be replaced",
    read: "will be read",
    "no-op": imported || moved ? "" : "has no changes",
  };
  return [words[kind], imported, moved].filter(Boolean).join("").trim();
}

function listBox(id: string, cls: string, title: string, empty: string, items: string[]): string {
  const none = items.length === 0;
  return `<div id="${id}" class="box ${cls}${none ? " none" : ""}"><h3>${esc(none ? empty : title)}</h3>${none ? "" : `<ul>${items.join("")}</ul>`}</div>`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function summarySection(doc: PlanDoc): string {
  const h = highlights(doc);
  const addr = (a: string) => `<li><code>${esc(a)}</code></li>`;
  return (
    '<section class="summary" aria-label="summary">' +
    listBox(
      "summary-destroy",
      "destroy",
      `${plural(h.destroys.length, "resource", "resources")} will be destroyed`,
      "Nothing is destroyed",
      h.destroys.map((c) => addr(c.address + (c.deposed ? ` (deposed ${c.deposed})` : ""))),
    ) +
    listBox(
      "summary-replace",
      "replace",
      `${plural(h.replacements.length, "resource", "resources")} will be replaced`,
      "Nothing is replaced",
      h.replacements.map((c) => {
        const why = (c.reasons ?? []).filter((r) => r.reason === "forces replacement").map((r) => r.path.join("."));
        return `<li><code>${esc(c.address)}</code>${why.length ? ` <span class="muted">(${esc(why.join(", "))} forces replacement)</span>` : c.action_reason === "replace_by_request" ? ' <span class="muted">(as requested)</span>' : ""}</li>`;
      }),
    ) +
    listBox(
      "summary-volumes",
      "volumes",
      `${plural(h.volumeDeletions.length, "volume", "volumes")} and all data on ${h.volumeDeletions.length === 1 ? "it" : "them"} will be deleted`,
      "No volume with data is deleted",
      h.volumeDeletions.map((d) => `<li><code>${esc(d.volume)}</code>${d.size ? ` (${esc(d.size)})` : ""} of <code>${esc(d.address)}</code>: ${esc(d.reason)}${d.when ? `, ${esc(d.when)}` : ""}</li>`),
    ) +
    listBox(
      "summary-restart",
      "restart",
      `${plural(h.restarts.length, "container restarts", "containers restart")}`,
      "Nothing restarts",
      h.restarts.map((r) => `<li><code>${esc(r.change.address)}</code> <span class="muted">(${esc(r.paths.join(", "))})</span></li>`),
    ) +
    "</section>"
  );
}

function changeSection(c: ResourceChangeDoc, drifted: ReadonlySet<string>): string {
  const kind = actionKind(c.change.actions);
  const reasons = [...new Set((c.reasons ?? []).map((r) => r.reason))];
  const badges = [...reasons.map((r) => `<span class="badge reason">${esc(r)}</span>`), ...(drifted.has(c.address) ? ['<span class="badge drift">changed outside pmxform</span>'] : [])].join("");
  return (
    `<details class="change act-${kind}" open data-address="${esc(c.address)}"><summary><span class="sym">${esc(SYMBOL[kind])}</span> <code>${esc(c.address)}</code> ${headline(c)}${badges}</summary>` +
    `<table><thead><tr><th>attribute</th><th>before</th><th>after</th><th>why</th></tr></thead><tbody>${attributeRows(c)}</tbody></table></details>`
  );
}

/** Drift since the last apply (also the web view's drift page). */
export function driftSection(doc: PlanDoc): string {
  const drift = doc.resource_drift ?? [];
  if (!drift.length) return '<section id="drift"><h2>Drift</h2><p class="muted">Nothing changed outside pmxform since the last apply.</p></section>';
  const items = drift.map((d) =>
    actionKind(d.change.actions) === "delete"
      ? `<details class="change act-delete" open data-address="${esc(d.address)}"><summary><code>${esc(d.address)}</code> has been deleted outside pmxform</summary></details>`
      : `<details class="change act-update" open data-address="${esc(d.address)}"><summary><code>${esc(d.address)}</code> has changed outside pmxform</summary><table><thead><tr><th>attribute</th><th>recorded</th><th>found</th><th></th></tr></thead><tbody>${attributeRows(d)}</tbody></table></details>`,
  );
  return `<section id="drift"><h2>Drift</h2><p>Objects changed outside pmxform since the last apply; the plan may undo these changes.</p>${items.join("")}</section>`;
}

function outputsSection(doc: PlanDoc): string {
  const outs = Object.entries(doc.output_changes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (!outs.length) return '<section id="outputs"><h2>Outputs</h2><p class="muted">No outputs.</p></section>';
  const rows = outs.map(([name, o]) => {
    const kind = actionKind(o.actions);
    return (
      `<tr class="act-${kind}"><th scope="row">${esc(name)}</th><td>${esc(kind)}</td>` +
      `<td>${kind === "create" ? "" : outputValue(o.before, o.before_sensitive, false)}</td><td>${kind === "delete" ? "" : outputValue(o.after, o.after_sensitive, o.after_unknown === true)}</td></tr>`
    );
  });
  return `<section id="outputs"><h2>Outputs</h2><table><thead><tr><th>output</th><th>change</th><th>before</th><th>after</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

/** The report's sections (no page around them): the web view embeds this. */
export function planReportBody(doc: PlanDoc): string {
  const counts = planCounts(doc);
  const drifted = new Set((doc.resource_drift ?? []).map((d) => d.address));
  const changes = doc.resource_changes
    .filter((c) => actionKind(c.change.actions) !== "no-op" || c.change.importing || c.previous_address)
    .sort((a, b) => ORDER[actionKind(a.change.actions)] - ORDER[actionKind(b.change.actions)] || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const countsLine = hasActions(doc) ? `Plan: ${countsPhrase(counts)}.` : "No changes. Your infrastructure matches the configuration.";
  return (
    summarySection(doc) +
    `<p id="summary-counts" class="counts">${esc(countsLine)}</p>` +
    `<section id="changes"><h2>Changes</h2>${changes.length ? changes.map((c) => changeSection(c, drifted)).join("") : '<p class="muted">No resource changes.</p>'}</section>` +
    driftSection(doc) +
    `<section id="graph"><h2>Dependency graph</h2><p class="legend muted"><span>green: create</span><span>amber: update</span><span>purple: replace</span><span>red: destroy</span><span>dashed: not in the configuration</span></p>${graphSvg(resourceGraph(doc))}</section>` +
    outputsSection(doc)
  );
}

/** The whole page. A CSP forbids every script and every fetch, so the page stays inert whatever a value holds. */
export function renderPlanHtml(doc: PlanDoc, opts: { title?: string } = {}): string {
  const title = opts.title ?? "pmxform plan";
  return (
    "<!doctype html>\n" +
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<title>${esc(title)}</title><style>${REPORT_CSS}</style></head><body><main>` +
    `<header class="report"><h1>${esc(title)}</h1><span class="meta">${doc.timestamp ? `made ${esc(doc.timestamp)}` : ""}${doc.pmxform_version ? ` · pmxform ${esc(doc.pmxform_version)}` : ""}</span></header>` +
    planReportBody(doc) +
    "</main></body></html>\n"
  );
}
