// The web view's pages as HTML strings: a layout with navigation, then one function per page.
// Every value is escaped; the only script is the job page's (nonce-allowed by the CSP).
import { esc } from "../report/html-escape.js";
import { REPORT_CSS } from "../report/html-style.js";
import { driftSection, planReportBody } from "../report/html.js";
import { graphSvg } from "../report/html-graph.js";
import { configAddress, hasActions, type PlanDoc } from "../report/plan-doc.js";
import { JOB_PAGE_SCRIPT } from "./client-script.js";
import type { Job } from "./jobs.js";
import type { ConfigurationView, LiveNode, StateResourceView } from "./project.js";
import type { HistoryEntry } from "./history.js";

const UI_CSS = `
nav.top { display: flex; gap: 14px; align-items: center; padding: 10px 20px; border-bottom: 1px solid var(--line); background: #f9fafb; }
nav.top a { color: #1f2937; text-decoration: none; } nav.top a.here { font-weight: 700; }
nav.top .where { margin-left: auto; color: var(--mute); font-size: 12px; }
form.inline { display: inline; }
button { font: inherit; padding: 4px 14px; border-radius: 6px; border: 1px solid #9ca3af; background: #fff; cursor: pointer; }
button.danger { border-color: var(--red); color: #fff; background: var(--red); }
.error { color: var(--red); font-weight: 600; }
.ok { color: var(--grn); font-weight: 600; } .failed { color: var(--red); font-weight: 600; }
pre#job-log { background: #111827; color: #e5e7eb; padding: 10px; border-radius: 6px; max-height: 60vh; overflow: auto; white-space: pre-wrap; }
pre#job-log .stderr { color: #fca5a5; } pre#job-log .progress { color: #9ca3af; }
#job-progress { color: var(--mute); font: 13px ui-monospace, monospace; }
.confirm { border: 2px solid var(--red); border-radius: 8px; padding: 10px 14px; margin: 16px 0; background: var(--red-bg); }
.confirm input[type=text] { font: 14px ui-monospace, monospace; width: 32em; max-width: 100%; padding: 4px; }
.status-running { color: var(--grn); } .status-stopped { color: var(--mute); }
`;

export interface PageContext {
  nonce: string;
  csrf: string;
  /** The project directory, shown so two views of two projects are told apart. */
  dir: string;
}

const NAV: [path: string, label: string][] = [
  ["/", "Resources"],
  ["/plan", "Plan"],
  ["/drift", "Drift"],
  ["/state", "State"],
  ["/history", "History"],
];

export function layout(ctx: PageContext, here: string, title: string, main: string, bodyData: Record<string, string> = {}, script?: string): string {
  const data = Object.entries(bodyData)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join("");
  return (
    "<!doctype html>\n" +
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · pmxform</title>` +
    `<style>${REPORT_CSS}${UI_CSS}</style></head><body${data}>` +
    `<nav class="top">${NAV.map(([p, l]) => `<a href="${p}"${p === here ? ' class="here"' : ""}>${esc(l)}</a>`).join("")}<span class="where">${esc(ctx.dir)}</span></nav>` +
    `<main><h1>${esc(title)}</h1>${main}</main>` +
    (script ? `<script nonce="${esc(ctx.nonce)}">${script}</script>` : "") +
    "</body></html>\n"
  );
}

function csrfField(ctx: PageContext): string {
  return `<input type="hidden" name="csrf" value="${esc(ctx.csrf)}">`;
}

export function planButton(ctx: PageContext, label = "Plan"): string {
  return `<form class="inline" method="post" action="/plan">${csrfField(ctx)}<button id="plan-button" type="submit">${esc(label)}</button></form>`;
}

const problemList = (problems: string[]) => (problems.length ? `<ul class="error">${problems.map((p) => `<li>${esc(p)}</li>`).join("")}</ul>` : "");

export function resourcesPage(ctx: PageContext, config: ConfigurationView, state: { resources: StateResourceView[]; problem?: string }, live: { nodes: LiveNode[]; problem?: string }): string {
  const liveByAddress = new Map<string, { node: string; status: string; vmid: number }>();
  for (const n of live.nodes) if (n.reachable) for (const c of n.containers) if (c.address) liveByAddress.set(c.address, { node: n.name, status: c.status, vmid: c.vmid });
  const rows: string[] = [];
  const stateByConfig = new Map<string, StateResourceView[]>();
  for (const s of state.resources) stateByConfig.set(configAddress(s.address), [...(stateByConfig.get(configAddress(s.address)) ?? []), s]);
  const statusCell = (address: string) => {
    const l = liveByAddress.get(address);
    return l ? `<span class="status-${esc(l.status)}">${esc(l.status)}</span>` : '<span class="muted">not found on the nodes</span>';
  };
  for (const r of config.resources) {
    const instances = stateByConfig.get(r.address) ?? [];
    if (!instances.length) rows.push(`<tr><th scope="row">${esc(r.address)}</th><td>${esc(r.node ?? "")}</td><td></td><td class="muted">not created yet</td></tr>`);
    for (const s of instances) rows.push(`<tr><th scope="row">${esc(s.address)}</th><td>${esc(s.node ?? r.node ?? "")}</td><td>${esc(s.vmid ?? "")}</td><td>${statusCell(s.address)}</td></tr>`);
  }
  const declared = new Set(config.resources.map((r) => r.address));
  for (const s of state.resources)
    if (!declared.has(configAddress(s.address)))
      rows.push(
        `<tr><th scope="row">${esc(s.address)}</th><td>${esc(s.node ?? "")}</td><td>${esc(s.vmid ?? "")}</td><td>${statusCell(s.address)} <span class="badge reason">in state, not in the configuration</span></td></tr>`,
      );
  const nodes = live.nodes.map((n) =>
    n.reachable
      ? `<h3>${esc(n.name)}</h3><table><thead><tr><th>vmid</th><th>hostname</th><th>status</th><th>managed as</th></tr></thead><tbody>${n.containers
          .map(
            (c) =>
              `<tr><td>${esc(c.vmid)}</td><td>${esc(c.hostname ?? "")}</td><td class="status-${esc(c.status)}">${esc(c.status)}</td><td>${c.address ? `<code>${esc(c.address)}</code>` : '<span class="muted">not managed</span>'}</td></tr>`,
          )
          .join("")}</tbody></table>`
      : `<h3>${esc(n.name)}</h3><p class="error">unreachable: ${esc(n.error)}</p>`,
  );
  return layout(
    ctx,
    "/",
    "Resources",
    problemList([...config.problems, ...(state.problem ? [`state: ${state.problem}`] : []), ...(live.problem ? [`nodes: ${live.problem}`] : [])]) +
      `<table id="resources"><thead><tr><th>resource</th><th>node</th><th>vmid</th><th>live status</th></tr></thead><tbody>${rows.join("") || '<tr><td colspan="4" class="muted">The configuration declares no resources.</td></tr>'}</tbody></table>` +
      `<h2>Nodes</h2>${nodes.join("") || '<p class="muted">No node answered.</p>'}` +
      `<h2>Dependency graph</h2>${graphSvg(config.graph)}`,
  );
}

export interface LatestPlan {
  id: string;
  file: string;
  doc: PlanDoc;
  counts: string;
  made: string;
  appliedBy?: string;
}

export function planPage(ctx: PageContext, latest: LatestPlan | undefined, running: Job | undefined, problem?: string): string {
  const busy = running ? `<p>A ${esc(running.kind)} is running: <a href="/jobs/${esc(running.id)}">follow it</a>.</p>` : "";
  if (!latest) return layout(ctx, "/plan", "Plan", `${busy}<p>No plan made in this page yet.</p>${planButton(ctx)}`);
  let apply: string;
  if (latest.appliedBy) apply = `<p>This plan was applied: <a href="/jobs/${esc(latest.appliedBy)}">see the run</a>. Make a new plan to change more.</p>`;
  else if (!hasActions(latest.doc)) apply = '<p class="muted">Nothing to apply.</p>';
  else
    apply =
      `<form class="confirm" method="post" action="/apply" id="apply-form">${csrfField(ctx)}<input type="hidden" name="plan" value="${esc(latest.id)}">` +
      `<p>Applying carries out exactly this plan. To confirm, type the plan's counts: <strong id="expected-counts">${esc(latest.counts)}</strong></p>` +
      `<p><input type="text" name="confirm" id="confirm" autocomplete="off" spellcheck="false" aria-label="confirmation"> <button class="danger" id="apply-button" type="submit">Apply</button></p></form>`;
  return layout(
    ctx,
    "/plan",
    "Plan",
    busy +
      (problem ? `<p class="error" id="apply-error">${esc(problem)}</p>` : "") +
      `<p class="meta">Plan ${esc(latest.id)} made ${esc(latest.made)} · <a id="report-link" href="/plans/${esc(latest.id)}.html">download as HTML</a> ${planButton(ctx, "Plan again")}</p>` +
      planReportBody(latest.doc) +
      apply,
  );
}

export function jobPage(ctx: PageContext, job: Job): string {
  const title = job.kind === "plan" ? "Planning" : "Applying";
  return layout(
    ctx,
    "",
    title,
    `<p id="job-status">Running…</p><p id="job-progress" hidden></p><pre id="job-log"></pre><p><a id="job-next" href="/plan" hidden>Continue</a></p>`,
    { job: job.id, kind: job.kind },
    JOB_PAGE_SCRIPT,
  );
}

export function driftPage(ctx: PageContext, latest: LatestPlan | undefined): string {
  if (!latest) return layout(ctx, "/drift", "Drift", `<p>Drift is found by refreshing, which a plan does: make one.</p>${planButton(ctx)}`);
  return layout(ctx, "/drift", "Drift", `<p class="meta">As found by plan ${esc(latest.id)}, made ${esc(latest.made)}. ${planButton(ctx, "Plan again")}</p>${driftSection(latest.doc)}`);
}

export function statePage(ctx: PageContext, state: { resources: StateResourceView[]; problem?: string }): string {
  const rows = state.resources.map((r) => `<tr><th scope="row">${esc(r.address)}</th><td>${esc(r.type)}</td><td>${esc(r.node ?? "")}</td><td>${esc(r.vmid ?? "")}</td></tr>`);
  return layout(
    ctx,
    "/state",
    "State",
    problemList(state.problem ? [state.problem] : []) +
      (rows.length
        ? `<table id="state"><thead><tr><th>address</th><th>type</th><th>node</th><th>vmid</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
        : '<p class="muted">The state is empty. No resources are managed yet.</p>'),
  );
}

export function historyPage(ctx: PageContext, entries: HistoryEntry[], path: string): string {
  if (!entries.length) return layout(ctx, "/history", "History", `<p id="no-history" class="muted">No history: no apply has been recorded in <code>${esc(path)}</code> yet.</p>`);
  const rows = entries.map(
    (e) =>
      `<tr><td>${esc(e.time ?? "")}</td><td>${esc(e.user ?? "")}</td><td>${esc(e.origin ?? "")}</td><td>${esc(e.counts ?? "")}</td><td>${esc(e.result ?? "")}</td><td><code>${esc((e.planHash ?? "").slice(0, 16))}</code></td></tr>`,
  );
  return layout(
    ctx,
    "/history",
    "History",
    `<p class="meta">From <code>${esc(path)}</code>, newest first.</p><table id="history"><thead><tr><th>time</th><th>user</th><th>origin</th><th>counts</th><th>result</th><th>plan hash</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
  );
}

export function messagePage(ctx: PageContext, title: string, message: string): string {
  return layout(ctx, "", title, `<p class="error" id="message">${esc(message)}</p><p><a href="/plan">Back to the plan</a></p>`);
}
