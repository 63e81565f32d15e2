// Refresh progress (issue 20 item 2): under PMXFORM_PROGRESS=1, plan and apply print a start and an
// end line per node on stderr while the cluster is read; without it, nothing changes at all (the
// exact output people and scripts compare). A node that does not answer gets a failed line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, Workdir, cli } from "../e2e/helpers.js";

const nodes = ["pve1", "pve2"];
const ct = (name: string, node: string, memory: number): string => `resource "lxc_container" "${name}" {
  node     = "${node}"
  hostname = "${name}"
  memory   = ${memory}
  template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`;

/** The progress lines of one node, in order, with the varying duration taken out. */
function linesOf(stderr: string, node: string): string[] {
  return stderr
    .split("\n")
    .filter((l) => l.startsWith(`refresh: ${node} `))
    .map((l) => l.replace(/ \d+ ms/, " N ms"));
}

describe.skipIf(!BUILT)(`refresh progress${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const progress = { PMXFORM_PROGRESS: "1" };
  const write = (memory: number, extraNode = "") =>
    w.write("main.pmx.hcl", `proxmox {\n${nodes.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}${extraNode}}\n` + nodes.map((n, i) => ct(`c${i}`, n, memory)).join(""));
  beforeAll(async () => {
    w = new Workdir();
    initSim(w.path("sim"), { nodes });
    write(256);
    const applied = await cli(w.dir, ["apply", "-auto-approve"], progress);
    expect(applied.code).toBe(0);
    // apply's own refresh reports too, and only on stderr.
    expect(linesOf(applied.stderr, "pve1").length).toBeGreaterThanOrEqual(2);
    expect(applied.stdout).not.toContain("refresh: ");
  }, 60_000);
  afterAll(() => w.remove());

  it("prints a start and a done line per node, and the same plan as without it", async () => {
    write(512);
    const quiet = await w.run("plan", "-detailed-exitcode");
    const loud = await cli(w.dir, ["plan", "-detailed-exitcode"], progress);
    expect(quiet.stderr).toBe("");
    expect(quiet.code).toBe(2);
    expect(loud.code).toBe(2);
    expect(loud.stdout).toBe(quiet.stdout);
    // pve1 is read (the cluster snapshot covers pve2), pve2 is proved reachable meanwhile.
    expect(linesOf(loud.stderr, "pve1")).toEqual(["refresh: pve1 proxmox reading...", "refresh: pve1 proxmox read in N ms"]);
    expect(linesOf(loud.stderr, "pve2")).toEqual(["refresh: pve2 checking...", "refresh: pve2 answered in N ms"]);
    // Nothing else is on stderr: every line is a progress line.
    expect(
      loud.stderr
        .trimEnd()
        .split("\n")
        .every((l) => l.startsWith("refresh: ")),
    ).toBe(true);
  });

  it("is off unless the variable is exactly 1", async () => {
    const other = await cli(w.dir, ["plan"], { PMXFORM_PROGRESS: "yes" });
    expect(other.stderr).toBe("");
  });

  it("-json keeps stdout a plan document and puts progress on stderr only", async () => {
    const json = await cli(w.dir, ["plan", "-json"], progress);
    expect(json.code).toBe(0);
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
    expect(linesOf(json.stderr, "pve1")).toHaveLength(2);
  });

  it("reports a node that does not answer as failed, next to the usual warning", async () => {
    // A node nothing listens for: its ssh connection is refused.
    write(512, `  node "pve3" {\n    ssh  = "root@127.0.0.1"\n    port = 1\n  }\n`);
    const plan = await cli(w.dir, ["plan"], progress);
    const pve3 = linesOf(plan.stderr, "pve3");
    expect(pve3[0]).toBe("refresh: pve3 checking...");
    expect(pve3[1]).toMatch(/^refresh: pve3 failed after N ms: .*Connection refused/);
    expect(plan.stderr).toContain("Node unreachable");
    // The nodes that answer are reported as usual.
    expect(linesOf(plan.stderr, "pve1")).toEqual(["refresh: pve1 proxmox reading...", "refresh: pve1 proxmox read in N ms"]);
    write(512);
  });

  it("-refresh=false with nothing to create reads nothing, so reports nothing", async () => {
    const plan = await cli(w.dir, ["plan", "-refresh=false"], progress);
    expect(plan.stderr).toBe("");
  });
});
