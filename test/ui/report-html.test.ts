// The HTML plan report as a pure function of the JSON plan document: it leads with destroys,
// escapes every name and value (hostile configurations), never prints what a sensitive mirror
// marks, and draws the dependency graph from the configuration's references.
import { describe, expect, it } from "vitest";
import { renderPlanHtml } from "../../src/report/html.js";
import { countsPhrase, planCounts, type PlanDoc, type ResourceChangeDoc } from "../../src/report/plan-doc.js";
import { resourceGraph, layers } from "../../src/report/graph-data.js";
import { prng } from "../helpers/prng.js";

function change(address: string, actions: string[], before: Record<string, unknown> | null, after: Record<string, unknown> | null, extra: Partial<ResourceChangeDoc> = {}): ResourceChangeDoc {
  const [type, name] = address.split(".") as [string, string];
  return { address, type, name, change: { actions, before, after, after_unknown: false, before_sensitive: false, after_sensitive: false }, ...extra };
}

const HOSTILE = [`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `' onmouseover='alert(1)`, `</style><script>x()</script>`, `&lt;already&gt;`, `]]><!--`, `\u2028</svg>`];

const TAGS = new Set([
  "html",
  "head",
  "meta",
  "title",
  "style",
  "body",
  "main",
  "header",
  "h1",
  "h2",
  "h3",
  "span",
  "section",
  "div",
  "ul",
  "li",
  "code",
  "p",
  "details",
  "summary",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "svg",
  "defs",
  "marker",
  "path",
  "g",
  "rect",
  "text",
]);
const ATTRS = new Set([
  "lang",
  "charset",
  "name",
  "content",
  "http-equiv",
  "class",
  "id",
  "aria-label",
  "open",
  "data-address",
  "scope",
  "colspan",
  "xmlns",
  "width",
  "height",
  "viewbox",
  "role",
  "refx",
  "refy",
  "markerwidth",
  "markerheight",
  "orient",
  "d",
  "fill",
  "marker-end",
  "x",
  "y",
  "rx",
]);

/**
 * Every hostile string must come out as text: once the stylesheet is set aside, each `<` opens
 * one of the report's own elements with only the report's own attributes, each attribute value
 * is quoted without a raw quote inside, and no `>` is left outside a tag.
 */
function assertInert(html: string): void {
  const body = html.replace(/^<!doctype html>\n/, "").replace(/<style>[^<]*<\/style>/, "<style></style>");
  let rest = body;
  for (const m of body.matchAll(/<(\/?)([a-zA-Z0-9]+)((?:\s+[a-zA-Z:-]+(?:="[^"<>]*")?)*)\s*\/?>/g)) {
    expect(TAGS.has(m[2]!.toLowerCase()), `unexpected element <${m[2]}>`).toBe(true);
    for (const a of m[3]!.matchAll(/\s+([a-zA-Z:-]+)(?:="[^"]*")?/g)) expect(ATTRS.has(a[1]!.toLowerCase()), `unexpected attribute ${a[1]}`).toBe(true);
    rest = rest.replace(m[0], "");
  }
  expect(rest).not.toMatch(/[<>]/);
}

describe("HTML plan report", () => {
  const doc: PlanDoc = {
    pmxform_version: "0.1.0",
    timestamp: "2026-12-07T10:00:00Z",
    resource_changes: [
      change(
        "lxc_container.app",
        ["create"],
        null,
        { memory: 512, rootfs: [{ volume: null }] },
        {
          change: {
            actions: ["create"],
            before: null,
            after: { memory: 512, rootfs: [{ volume: null }] },
            after_unknown: { rootfs: [{ volume: true }] },
            before_sensitive: false,
            after_sensitive: {},
          },
        },
      ),
      change("lxc_container.old", ["delete"], { memory: 256 }, null),
      change(
        "lxc_container.web",
        ["delete", "create"],
        { template: "a", password: null },
        { template: "b", password: null },
        {
          change: {
            actions: ["delete", "create"],
            before: { template: "a", password: null },
            after: { template: "b", password: null },
            after_unknown: false,
            before_sensitive: { password: true },
            after_sensitive: { password: true },
          },
          reasons: [{ path: ["template"], reason: "forces replacement" }],
          action_reason: "replace_because_cannot_update",
        },
      ),
      change("lxc_container.db", ["update"], { memory: 256, cores: 1 }, { memory: 512, cores: 1 }, { reasons: [{ path: ["memory"], reason: "requires restart" }] }),
    ],
    volume_deletions: [{ address: "lxc_container.old", volume: "local-lvm:vm-101-disk-1", size: "8G", reason: "the container is destroyed" }],
    output_changes: { secret: { actions: ["update"], before: null, after: null, after_unknown: false, before_sensitive: true, after_sensitive: true } },
    configuration: {
      root_module: {
        resources: [
          { address: "lxc_container.app", type: "lxc_container", name: "app", expressions: { description: { references: ["lxc_container.db.vmid", "lxc_container.db"] } } },
          { address: "lxc_container.db", type: "lxc_container", name: "db", expressions: {}, depends_on: ["lxc_container.web"] },
          { address: "lxc_container.web", type: "lxc_container", name: "web", expressions: {} },
        ],
      },
    },
  };

  it("leads with destroys, then replacements, volume deletions and restarts, before any change", () => {
    const html = renderPlanHtml(doc);
    const at = (id: string) => html.indexOf(`id="${id}"`);
    expect(at("summary-destroy")).toBeGreaterThan(0);
    expect(at("summary-destroy")).toBeLessThan(at("summary-replace"));
    expect(at("summary-replace")).toBeLessThan(at("summary-volumes"));
    expect(at("summary-volumes")).toBeLessThan(at("summary-restart"));
    expect(at("summary-restart")).toBeLessThan(at("changes"));
    const destroyBox = html.slice(at("summary-destroy"), at("summary-replace"));
    expect(destroyBox).toContain("1 resource will be destroyed");
    expect(destroyBox).toContain("lxc_container.old");
    expect(html.slice(at("summary-replace"), at("summary-volumes"))).toContain("template forces replacement");
    expect(html.slice(at("summary-volumes"), at("summary-restart"))).toContain("local-lvm:vm-101-disk-1");
    expect(html.slice(at("summary-restart"), at("changes"))).toContain("lxc_container.db");
    expect(html).toContain("Plan: 2 to add, 1 to change, 2 to destroy.");
    // Changes in the order of how hard they are to undo.
    const order = ["lxc_container.old", "lxc_container.web", "lxc_container.db", "lxc_container.app"].map((a) => html.indexOf(`data-address="${a}"`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("marks sensitive values and unknowns instead of printing them; needs no network and runs no script", () => {
    const html = renderPlanHtml(doc);
    expect(html).toContain("(sensitive value)");
    expect(html).toContain("(known after apply)");
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it("counts as the plan line does", () => {
    expect(countsPhrase(planCounts(doc))).toBe("2 to add, 1 to change, 2 to destroy");
    expect(countsPhrase({ import: 1, add: 0, change: 0, destroy: 0 })).toBe("1 to import, 0 to add, 0 to change, 0 to destroy");
  });

  it("draws the graph from references and depends_on, dependencies left of what needs them", () => {
    const g = resourceGraph(doc);
    expect(g.edges).toEqual([
      ["lxc_container.app", "lxc_container.db"],
      ["lxc_container.db", "lxc_container.web"],
    ]);
    const l = layers(g);
    expect([l.get("lxc_container.web"), l.get("lxc_container.db"), l.get("lxc_container.app")]).toEqual([0, 1, 2]);
    // A destroyed resource the configuration no longer has is still drawn, dashed.
    expect(g.nodes.find((n) => n.id === "lxc_container.old")).toEqual({ id: "lxc_container.old", action: "delete", declared: false });
    expect(renderPlanHtml(doc)).toMatch(/<g class="node act-delete undeclared">/);
  });

  it("escapes hostile names and values everywhere (seeded random placements)", () => {
    const rand = prng(20);
    for (let round = 0; round < 120; round++) {
      const pick = () => HOSTILE[Math.floor(rand() * HOSTILE.length)]!;
      const addr = `lxc_container.${pick()}`;
      const key = pick();
      const hostileDoc: PlanDoc = {
        timestamp: pick(),
        pmxform_version: pick(),
        resource_changes: [
          change(addr, ["delete", "create"], { [key]: pick(), n: [pick()] }, { [key]: pick(), n: [pick()] }, { reasons: [{ path: [key], reason: pick() }], previous_address: pick() }),
          change(`lxc_container.${pick()}`, ["delete"], { x: pick() }, null, { deposed: pick() }),
        ],
        resource_drift: [change(addr, ["update"], { [key]: pick() }, { [key]: pick() })],
        volume_deletions: [{ address: addr, volume: pick(), size: pick(), reason: pick(), when: pick() }],
        output_changes: { [pick()]: { actions: ["create"], before: null, after: pick(), after_unknown: false, before_sensitive: false, after_sensitive: false } },
        configuration: { root_module: { resources: [{ address: addr, type: "lxc_container", name: pick(), expressions: { a: { references: [pick()] } }, depends_on: [pick()] }] } },
      };
      const html = renderPlanHtml(hostileDoc, { title: pick() });
      assertInert(html);
      // Shown, not dropped: the address appears escaped.
      expect(html).toContain(`data-address="${addr.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")}"`);
    }
  });
});
