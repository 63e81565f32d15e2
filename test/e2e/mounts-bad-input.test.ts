// Bad mount/device input through the CLI (issue 6): each mistake is a diagnostic at its
// file:line:col, and apply changes nothing: no pct mutation, the state file byte for byte as it was.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const ct = (body: string) => `${SIM_NODE}resource "lxc_container" "bad" {
  node     = "pve1"
  vmid     = 162
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "2G"
    path    = "/data"
  }
${body}}
`;

interface JsonDiag {
  severity: string;
  summary: string;
  detail: string;
  range?: { filename: string; start: { line: number; column: number } };
}

/** 1-based line and column of the first `needle` in `text`, as the diagnostics count them. */
function where(text: string, needle: string): string {
  const at = text.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, at).split("\n");
  return `main.pmx.hcl:${before.length}:${before.at(-1)!.length + 1}`;
}

describe.skipIf(!BUILT)(`bad mount and device input through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const mutations = () =>
    readFileSync(w.path("sim/log/calls.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { tool: string; argv: string[] })
      .filter((c) => c.tool === "pct" && !["config", "status", "list", "pending"].includes(c.argv[0]!)).length;

  beforeAll(async () => {
    w = new Workdir("pmx-e2e-badmounts-");
    w.write("main.pmx.hcl", ct(""));
    const a = await w.run("apply", "--auto-approve");
    expect(a.code).toBe(0);
  });
  afterAll(() => w.remove());

  /** Plans `hcl` (JSON diagnostics) and applies it: every expected error at its place, nothing applied. */
  async function refused(hcl: string, expected: [summary: string, at: string][]) {
    w.write("main.pmx.hcl", hcl);
    const p = await w.run("plan", "--json");
    expect(p.code).toBe(1);
    const diags = (JSON.parse(p.stdout) as { diagnostics: JsonDiag[] }).diagnostics.filter((d) => d.severity === "error");
    const got = diags.map((d) => [d.summary, d.range ? `${d.range.filename}:${d.range.start.line}:${d.range.start.column}` : "no range"]);
    expect(got).toEqual(expected.map(([s, needle]) => [s, where(hcl, needle)]));
    for (const d of diags) expect(d.detail).toMatch(/\S/);
    const state = readFileSync(w.path("pmxform.state.json"), "utf8");
    const before = mutations();
    const a = await w.run("apply", "--auto-approve");
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/on main\.pmx\.hcl line \d+/);
    expect(a.stdout).not.toContain("Apply complete");
    expect(mutations()).toBe(before);
    expect(readFileSync(w.path("pmxform.state.json"), "utf8")).toBe(state);
  }

  it("device outside /dev, size with a wrong unit or not in whole MiB, slot out of range", async () => {
    const hcl = ct(`  device "tty" {
    path = "/tmp/ttyS0"
  }
  mount "logs" {
    storage = "local-lvm"
    size    = "4GB"
    path    = "/logs"
  }
  mount "odd" {
    storage = "local-lvm"
    size    = "1.1G"
    path    = "/odd"
  }
  mount "pinned" {
    host_path = "/srv/pinned"
    path      = "/pinned"
    slot      = 256
  }
`);
    await refused(hcl, [
      ["Invalid value for argument", '"/tmp/ttyS0"'],
      ["Invalid value for argument", '"4GB"'],
      ["Invalid value for argument", '"1.1G"'],
      ["Invalid value for argument", "256"],
    ]);
  });

  it("relative and non-normalised host paths", async () => {
    const hcl = ct(`  mount "rel" {
    host_path = "tank/media"
    path      = "/media"
  }
  mount "dots" {
    host_path = "/tank/./media/"
    path      = "/media2"
  }
`);
    await refused(hcl, [
      ["Invalid host path", '"tank/media"'],
      ["Invalid host path", '"/tank/./media/"'],
    ]);
  });

  it("shrinking a volume", async () => {
    const hcl = ct("").replace('size    = "2G"', 'size    = "1G"');
    await refused(hcl, [["Cannot shrink a mount volume", '"1G"']]);
  });
});
