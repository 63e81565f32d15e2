// Who owns a container (issues 22.1 and 23.4): two working directories racing for one vmid on a
// shared simulator, a state entry copied under a second address, and a foreign container found
// where a state entry's container used to be. Each ends in an error or a free vmid, never in one
// project changing or destroying the other's container.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCalls } from "../../src/sim/calllog.js";
import { initSim } from "../../src/sim/index.js";
import { legacyMarkerFor } from "../../providers/lxc/identity.js";
import { BUILT, NOT_BUILT, Workdir } from "./helpers.js";

const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

/** A project whose only node is the shared simulator at `sim`. */
function project(made: Workdir[], name: string, sim: string, body: string): Workdir {
  const w = new Workdir(`pmx-owner-${name}-`);
  made.push(w);
  w.write("main.pmx.hcl", `proxmox {\n  node "pve1" {\n    sim = "${sim}"\n  }\n}\n${body}`);
  return w;
}

const web = (hostname: string) => `resource "lxc_container" "web" {\n  node     = "pve1"\n  template = "${TEMPLATE}"\n  hostname = "${hostname}"\n}\n`;

interface StateShape {
  lineage: string;
  resources: { address: string; attributes: Record<string, unknown> }[];
  intents?: unknown[];
}
/** plan, apply and destroy each fail, saying all of `says`. */
async function refusedEverywhere(w: Workdir, says: string[]): Promise<void> {
  for (const args of [["plan"], ["apply", "--auto-approve"], ["destroy", "--auto-approve"]]) {
    const r = await w.run(...args);
    expect(r.code).toBe(1);
    for (const text of says) expect(r.stderr).toContain(text);
  }
}

const readState = (w: Workdir) => JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as StateShape;

describe.skipIf(!BUILT)(`container ownership${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let root: Workdir[];
  let sim: string;
  beforeEach(() => {
    const shared = new Workdir("pmx-owner-sim-");
    root = [shared];
    sim = shared.path("sim");
  });
  afterEach(() => root.forEach((w) => w.remove()));

  it("importing another project's container is never silent; re-importing one's own is", async () => {
    const a = project(root, "a", sim, web("alpha"));
    expect((await a.run("apply", "--auto-approve")).code).toBe(0);
    const b = project(root, "b", sim, web("beta"));
    const taken = await b.run("import", "lxc_container.web", "pve1/100");
    expect(taken.code).toBe(0);
    expect(taken.stderr).toContain("Importing another project's container");
    expect(taken.stderr).toMatch(/container pve1\/100 carries the pmxform marker pmxform-[0-9a-f]{8}, which this state does not give lxc_container\.web/);
    expect(taken.stderr).toContain("pmxform state rm lxc_container.web");
    const all = project(root, "c", sim, "");
    const bulk = await all.run("import", "--all", "--generate-config-out", all.path("gen.pmx.hcl"));
    expect(bulk.code).toBe(0);
    expect(bulk.stderr).toContain("Importing another project's container");
    // The project that created it forgets and re-imports it at the same address: no warning.
    expect((await a.run("state", "rm", "lxc_container.web")).code).toBe(0);
    const own = await a.run("import", "lxc_container.web", "pve1/100");
    expect(own.code).toBe(0);
    expect(own.stderr).not.toContain("another project");
  });

  it("two projects racing for one vmid: the loser re-plans onto a free vmid and never touches the winner's container", async () => {
    const a = project(root, "a", sim, web("alpha"));
    const b = project(root, "b", sim, web("beta"));
    expect((await a.run("plan", "--out", "p.out")).stdout).toMatch(/\+ vmid\s+= 100/);
    expect((await b.run("plan", "--out", "p.out")).stdout).toMatch(/\+ vmid\s+= 100/);
    const applyA = await a.run("apply", "p.out");
    expect(applyA.code).toBe(0);
    const lost = await b.run("apply", "p.out");
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain("VMID 100 was taken on node pve1");
    // The refused create created nothing, so it leaves nothing to adopt.
    expect(readState(b).intents).toBeUndefined();

    const conf100 = join(sim, "etc/pve/nodes/pve1/lxc/100.conf");
    const before100 = readFileSync(conf100, "utf8");
    const callsBefore = readCalls(sim).length;
    const plan = await b.run("plan");
    expect(plan.code).toBe(0);
    expect(plan.stderr).not.toMatch(/Adopted|adopted/);
    expect(plan.stdout).toMatch(/\+ vmid\s+= 101/);
    expect(plan.stdout).not.toContain('"alpha"');
    const applyB = await b.run("apply", "--auto-approve");
    expect(applyB.code).toBe(0);
    expect(applyB.stdout).toContain("[vmid=101]");
    expect(readState(b).resources.map((r) => r.attributes["vmid"])).toEqual([101]);
    const destroyB = await b.run("destroy", "--auto-approve");
    expect(destroyB.code).toBe(0);
    // B's runs after the lost race never ran a command naming CT 100.
    const touched = readCalls(sim)
      .slice(callsBefore)
      .filter((c) => c.argv.includes("100") || c.argv.some((x) => x.includes("/100.conf")));
    expect(touched).toEqual([]);
    expect(readFileSync(conf100, "utf8")).toBe(before100);
    expect(readState(b).resources).toEqual([]);
    const planA = await a.run("plan", "--detailed-exitcode");
    expect(planA.code).toBe(0);
    expect(existsSync(conf100)).toBe(true);
  });

  it("refuses a state where two entries claim one container, and destroys nothing", async () => {
    const w = project(root, "dup", sim, `resource "lxc_container" "a" {\n  node     = "pve1"\n  template = "${TEMPLATE}"\n  vmid     = 121\n}\n`);
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    const state = readState(w) as StateShape & Record<string, unknown>;
    const entry = state.resources[0]!;
    state.resources.push({ ...entry, address: "lxc_container.b", name: "b" } as never);
    writeFileSync(w.path("pmxform.state.json"), JSON.stringify(state, null, 2), { mode: 0o600 });
    const callsBefore = readCalls(sim).length;
    await refusedEverywhere(w, ["Two state entries claim container pve1/121: lxc_container.a and lxc_container.b", "pmxform state rm lxc_container.b"]);
    expect(
      readCalls(sim)
        .slice(callsBefore)
        .filter((c) => c.tool === "pct"),
    ).toEqual([]);
    expect(existsSync(join(sim, "etc/pve/nodes/pve1/lxc/121.conf"))).toBe(true);
    // The fix the message names works: the copy goes, the container stays and plans no changes.
    expect((await w.run("state", "rm", "lxc_container.b")).code).toBe(0);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("never changes or destroys another project's container that took a recorded vmid, at plan or at apply", async () => {
    const pinned = (hostname: string) => `resource "lxc_container" "web" {\n  node     = "pve1"\n  template = "${TEMPLATE}"\n  vmid     = 130\n  hostname = "${hostname}"\n}\n`;
    const a = project(root, "a", sim, pinned("alpha"));
    const b = project(root, "b", sim, pinned("beta"));
    expect((await a.run("apply", "--auto-approve")).code).toBe(0);
    // A saved destroy plan, then CT 130 is destroyed by hand and B creates its own there.
    expect((await a.run("plan", "--destroy", "--out", "d.out")).code).toBe(0);
    execFileSync(join(sim, "bin/pct"), ["destroy", "130", "--purge", "1"]);
    expect((await b.run("apply", "--auto-approve")).code).toBe(0);
    const conf130 = join(sim, "etc/pve/nodes/pve1/lxc/130.conf");
    const theirs = readFileSync(conf130, "utf8");
    const callsBefore = readCalls(sim).length;
    await refusedEverywhere(a, ["lxc_container.web: container pve1/130 is not the one lxc_container.web manages", "hostname beta"]);
    // The saved plan was made while A's container was there: apply reads CT 130 first and stops.
    const saved = await a.run("apply", "d.out");
    expect(saved.code).toBe(1);
    expect(saved.stderr).toContain("lxc_container.web: nothing was done: container pve1/130 is not the one lxc_container.web manages");
    const mutating = readCalls(sim)
      .slice(callsBefore)
      .filter((c) => c.tool === "pct" && !["status", "config"].includes(c.argv[0] ?? ""));
    expect(mutating).toEqual([]);
    expect(readFileSync(conf130, "utf8")).toBe(theirs);
    expect((await b.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("a saved migration never moves or changes another project's container that took the vmid", async () => {
    const sim2 = root[0]!.path("sim2");
    initSim(sim2, { nodes: ["pve1", "pve2"] });
    const both = `proxmox {\n  node "pve1" {\n    sim = "${sim2}"\n  }\n  node "pve2" {\n    sim = "${sim2}"\n  }\n}\n`;
    const pinned = (node: string, hostname: string) => `resource "lxc_container" "web" {\n  node     = "${node}"\n  template = "${TEMPLATE}"\n  vmid     = 150\n  hostname = "${hostname}"\n}\n`;
    const a = project(root, "a", sim2, "");
    const b = project(root, "b", sim2, "");
    a.write("main.pmx.hcl", both + pinned("pve1", "alpha"));
    b.write("main.pmx.hcl", both + pinned("pve1", "beta"));
    expect((await a.run("apply", "--auto-approve")).code).toBe(0);
    // A saved plan migrating A's container, then CT 150 is destroyed by hand and B creates its own there.
    a.write("main.pmx.hcl", both + pinned("pve2", "alpha"));
    expect((await a.run("plan", "--out", "m.out")).stdout).toContain("# migrates");
    execFileSync(join(sim2, "bin/pct"), ["destroy", "150", "--purge", "1"], { env: { ...process.env, PMXSIM_NODE: "pve1" } });
    expect((await b.run("apply", "--auto-approve")).code).toBe(0);
    const conf150 = join(sim2, "etc/pve/nodes/pve1/lxc/150.conf");
    const theirs = readFileSync(conf150, "utf8");
    const callsBefore = readCalls(sim2).length;
    const saved = await a.run("apply", "m.out");
    expect(saved.code).toBe(1);
    expect(saved.stderr).toContain("lxc_container.web: nothing was done: container pve1/150 is not the one lxc_container.web manages");
    const mutating = readCalls(sim2)
      .slice(callsBefore)
      .filter((c) => c.tool === "pct" && !["status", "config"].includes(c.argv[0] ?? ""));
    expect(mutating).toEqual([]);
    expect(readFileSync(conf150, "utf8")).toBe(theirs);
    expect((await b.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("keeps containers of states written before the lineage marker: No changes, updated and destroyed under their recorded marker", async () => {
    const body = (memory: number) => `resource "lxc_container" "web" {\n  node     = "pve1"\n  template = "${TEMPLATE}"\n  vmid     = 140\n  memory   = ${memory}\n}\n`;
    const w = project(root, "legacy", sim, body(512));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    // What an earlier version left: the address-only marker on the container and in the entry.
    const legacy = legacyMarkerFor("lxc_container.web");
    const state = readState(w);
    const current = String(state.resources[0]!.attributes["marker"]);
    expect(current).not.toBe(legacy);
    state.resources[0]!.attributes["marker"] = legacy;
    writeFileSync(w.path("pmxform.state.json"), JSON.stringify(state, null, 2), { mode: 0o600 });
    const conf = join(sim, "etc/pve/nodes/pve1/lxc/140.conf");
    writeFileSync(conf, readFileSync(conf, "utf8").replace(current, legacy));
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
    w.write("main.pmx.hcl", readFileSync(w.path("main.pmx.hcl"), "utf8").replace("memory   = 512", "memory   = 1024"));
    const update = await w.run("apply", "--auto-approve");
    expect(update.code).toBe(0);
    expect(readFileSync(conf, "utf8")).toMatch(new RegExp(`tags: ${legacy}\n[^]*memory: 1024|memory: 1024\n[^]*tags: ${legacy}`));
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
    expect((await w.run("destroy", "--auto-approve")).code).toBe(0);
    expect(existsSync(conf)).toBe(false);
  });
});
