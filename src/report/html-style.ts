// The report's stylesheet, inlined into the page (the report must open with no network access).
// Shared with the web view, which embeds the same report.
export const REPORT_CSS = `
:root { color-scheme: light; --red: #b91c1c; --red-bg: #fef2f2; --mag: #86198f; --mag-bg: #fdf4ff; --amb: #92400e; --amb-bg: #fffbeb; --grn: #166534; --grn-bg: #f0fdf4; --line: #e5e7eb; --mute: #6b7280; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #111827; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 12px 20px 40px; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 16px; margin: 22px 0 8px; }
h3 { font-size: 14px; margin: 0 0 4px; }
header.report { display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; padding: 10px 0; border-bottom: 1px solid var(--line); margin-bottom: 10px; }
.muted, .meta { color: var(--mute); }
code, .mono, th[scope=row] { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 10px; margin: 10px 0; }
.box { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; padding: 8px 12px; }
.box ul { margin: 4px 0 0; padding-left: 18px; }
.box.none { color: var(--mute); }
.box.destroy:not(.none) { border-color: var(--red); background: var(--red-bg); }
.box.replace:not(.none) { border-color: var(--mag); background: var(--mag-bg); }
.box.volumes:not(.none) { border-color: var(--red); background: var(--red-bg); }
.box.restart:not(.none) { border-color: var(--amb); background: var(--amb-bg); }
.counts { font-weight: 600; font-size: 15px; margin: 6px 0 0; }
details.change { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; margin: 8px 0; padding: 4px 10px; }
details.change > summary { cursor: pointer; padding: 4px 0; }
.act-delete { border-left-color: var(--red) !important; }
.act-replace { border-left-color: var(--mag) !important; }
.act-update { border-left-color: var(--amb) !important; }
.act-create { border-left-color: var(--grn) !important; }
.sym { font-family: ui-monospace, monospace; font-weight: 700; display: inline-block; min-width: 2.2em; }
.act-delete .sym { color: var(--red); } .act-replace .sym { color: var(--mag); } .act-update .sym { color: var(--amb); } .act-create .sym { color: var(--grn); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; padding: 3px 8px; border-top: 1px solid var(--line); vertical-align: top; word-break: break-word; }
thead th { font-weight: 600; color: var(--mute); border-top: 0; }
details.change table { table-layout: fixed; }
details.change thead th:nth-child(1) { width: 22%; } details.change thead th:nth-child(2), details.change thead th:nth-child(3) { width: 33%; } details.change thead th:nth-child(4) { width: 12%; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; background: #eef2ff; color: #3730a3; margin-left: 4px; }
.badge.reason { background: var(--amb-bg); color: var(--amb); }
.badge.drift { background: #e0f2fe; color: #075985; }
.sensitive, .unknown, .null { color: var(--mute); font-style: italic; }
svg.graph { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fafafa; }
svg.graph .edge { fill: none; stroke: #9ca3af; stroke-width: 1.2; }
svg.graph rect { fill: #fff; stroke: #9ca3af; }
svg.graph text { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; fill: #111827; }
svg.graph .act-delete rect { fill: var(--red-bg); stroke: var(--red); }
svg.graph .act-replace rect { fill: var(--mag-bg); stroke: var(--mag); }
svg.graph .act-update rect { fill: var(--amb-bg); stroke: var(--amb); }
svg.graph .act-create rect { fill: var(--grn-bg); stroke: var(--grn); }
svg.graph .undeclared rect { stroke-dasharray: 4 3; }
.legend span { margin-right: 12px; }
`;
