// Refresh takes one round of process start-ups when the run knows the cluster's nodes: the
// per-node reads do not wait for the cluster-wide ones (issue 9, budgets 1 and 5). Checked without
// a clock: the resource list is made to hang, and every per-node read must have started before it
// ended. Template listings are taken only when something may be created from a template.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODES3, buildCluster, simProxmoxBlock } from "../../bench/lib/cluster.mjs";
import { readCalls, setFaults, type CallRecord as Call } from "../../src/sim/index.js";
import { BIN, BUILT, NOT_BUILT, Workdir, cli } from "../e2e/helpers.js";

const HANG_MS = 2500;
const start = (c: Call): number => Date.parse(c.ts);
const end = (c: Call): number => Date.parse(c.ts) + c.ms;

describe.skipIf(!BUILT)(`refresh rounds${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const w = new Workdir("pmx-refresh-rounds-");
  let calls: Call[];
  beforeAll(async () => {
    buildCluster(BIN, w.path("sim"), { nodes: NODES3, count: 6 });
    writeFileSync(w.path("providers.pmx.hcl"), simProxmoxBlock(NODES3));
    execFileSync(process.execPath, [BIN, "import", "--all", "--generate-config-out", "containers.pmx.hcl"], { cwd: w.dir, stdio: "ignore" });
    setFaults(w.path("sim"), [{ tool: "pvesh", args: ["get", "/cluster/resources"], hangMs: HANG_MS }]);
    const before = readCalls(w.path("sim")).length;
    const plan = await cli(w.dir, ["plan", "--detailed-exitcode"]);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    calls = readCalls(w.path("sim")).slice(before);
  });
  afterAll(() => w.remove());

  it("starts every node's container list, device check and bridge list while the cluster's resource list is still being read", () => {
    const resources = calls.find((c) => c.tool === "pvesh" && c.argv[1] === "/cluster/resources");
    expect(resources?.ms).toBeGreaterThanOrEqual(HANG_MS);
    const perNode = calls.filter((c) => (c.tool === "pvesh" && /^\/nodes\/[^/]+\/(?:lxc|network)$/.test(c.argv[1] ?? "")) || c.tool === "stat");
    expect(perNode.map((c) => (c.tool === "stat" ? `stat@${c.node}` : c.argv[1])).sort()).toEqual(
      [...NODES3.map((n) => `/nodes/${n}/lxc`), ...NODES3.map((n) => `/nodes/${n}/network`), ...NODES3.map((n) => `stat@${n}`)].sort(),
    );
    for (const c of perNode) expect(start(c), `${c.tool} ${c.argv.join(" ")} on ${c.node}`).toBeLessThan(end(resources!));
  });

  it("lists no template storage when no oci_image is configured or recorded", () => {
    expect(calls.filter((c) => c.argv.some((a) => /\/storage\/[^/]+\/content$/.test(a)))).toEqual([]);
  });

  it("starts the listing of the storage a new container's template names while the resource list is still being read, and still finds a missing template", async () => {
    writeFileSync(w.path("new.pmx.hcl"), `resource "lxc_container" "fresh" {\n  node     = "pve2"\n  template = "local:vztmpl/no-such-template_1.0_amd64.tar.zst"\n}\n`);
    setFaults(w.path("sim"), [{ tool: "pvesh", args: ["get", "/cluster/resources"], hangMs: HANG_MS }]);
    const before = readCalls(w.path("sim")).length;
    const plan = await cli(w.dir, ["plan"]).finally(() => {
      setFaults(w.path("sim"), []);
      rmSync(w.path("new.pmx.hcl"));
    });
    // The listing answered in the first round still checks the template against the node's.
    expect(plan.stderr).toContain("Template not found");
    const made = readCalls(w.path("sim")).slice(before);
    const resources = made.find((c) => c.tool === "pvesh" && c.argv[1] === "/cluster/resources")!;
    const listing = (n: string) => made.filter((c) => c.argv[1] === `/nodes/${n}/storage/local/content`);
    expect(listing("pve2")).toHaveLength(1);
    expect(start(listing("pve2")[0]!)).toBeLessThan(end(resources));
    // The other nodes' template storages are known only from the resource list: listed after it, once each.
    for (const n of ["pve1", "pve3"]) {
      expect(listing(n)).toHaveLength(1);
      expect(start(listing(n)[0]!)).toBeGreaterThanOrEqual(end(resources) - 50);
    }
  });

  it("lists the template storages when an oci_image is configured", async () => {
    setFaults(w.path("sim"), []);
    writeFileSync(w.path("image.pmx.hcl"), `resource "oci_image" "web" {\n  node      = "pve1"\n  reference = "127.0.0.1:1/never/pulled:1"\n  storage   = "local"\n}\n`);
    const before = readCalls(w.path("sim")).length;
    const plan = await cli(w.dir, ["plan"]);
    expect(plan.stdout).toContain("oci_image.web will be created");
    const listings = readCalls(w.path("sim"))
      .slice(before)
      .filter((c) => c.argv.some((a) => /\/storage\/local\/content$/.test(a)));
    expect(listings.map((c) => c.argv[1]).sort()).toEqual(NODES3.map((n) => `/nodes/${n}/storage/local/content`));
  });
});
