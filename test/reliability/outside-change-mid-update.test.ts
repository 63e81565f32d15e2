// Another person changes a container's conf (their own `pct set` on the node) while pmxform is in
// the middle of an update: before its first, digest-checked write, and between that write and
// the next one. The simulator holds pmxform's step at a gate (src/sim/faults.ts Fault.gate) so
// the outside change lands exactly there, with no guessing at timing.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Fault } from "../../src/sim/faults.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container, type CliResult } from "../e2e/helpers.js";
import { runHeldAt } from "../helpers/gate.js";
import { expectCleanFailure } from "./faults-harness.js";

const VMID = 150;
const config = (memory: number, size: string) =>
  SIM_NODE +
  container(
    "web",
    `  vmid     = ${VMID}
  hostname = "web"
  memory   = ${memory}
  started  = false`,
  ).replace('size    = "4G"', `size    = "${size}"`);

/** A container applied at 512 MB / 4G, then the config changed to 1024 MB / 8G: a resize (the first, digest-checked write) and a pct set. */
async function stage(): Promise<Workdir> {
  const w = new Workdir("pmx-midupdate-");
  expect((await w.run("sim", "init", "sim")).code).toBe(0);
  w.write("main.pmx.hcl", config(512, "4G"));
  const first = await w.run("apply", "-auto-approve");
  expect(first.code, first.stderr).toBe(0);
  w.write("main.pmx.hcl", config(1024, "8G"));
  return w;
}

/** Runs apply with pmxform's first call matching `step` held while "another person" runs pct set `outside`. */
async function applyWithOutsideChange(w: Workdir, step: Omit<Fault, "gate">, outside: string[]): Promise<CliResult> {
  const held = await runHeldAt(w.path("sim"), step, w.dir, ["apply", "-auto-approve"]);
  // The real pct argv (the simulator's pct takes the CT lock as pct does).
  execFileSync(w.path("sim/bin/pct"), ["set", String(VMID), ...outside]);
  held.open();
  return held.done;
}

const conf = (w: Workdir) => readFileSync(w.path(`sim/etc/pve/nodes/pve1/lxc/${VMID}.conf`), "utf8");
const stateAttrs = (w: Workdir) => (JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { attributes: Record<string, unknown> }[] }).resources[0]!.attributes;

describe.skipIf(!BUILT)(`a conf changed by someone else during an update${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let s: Workdir | undefined;
  afterEach(() => s?.remove());

  it("before the first write: the digest refuses it, nothing of the update is done, and the message says to plan again", { timeout: 180_000 }, async () => {
    s = await stage();
    const r = await applyWithOutsideChange(s, { tool: "pct", args: ["resize"] }, ["--hostname", "other"]);
    expectCleanFailure(r, "outside change before the first write");
    expect(r.stderr).toMatch(/changed|digest/i);
    expect(r.stderr).toMatch(/pmxform plan/);
    // Neither the resize nor the set went through; the outside change stands.
    expect(conf(s)).toContain("hostname: other");
    expect(conf(s)).toContain("memory: 512");
    expect(conf(s)).toContain("size=4G");
    const plan = await s.run("plan", "-no-color");
    expect(plan.stdout).toMatch(/hostname *= "other" -> "web"/);
  });

  it("after the first write, to a key the update does not write: the apply stops naming it, the state holds the container as it is, the next plan reverts it", { timeout: 180_000 }, async () => {
    s = await stage();
    const r = await applyWithOutsideChange(s, { tool: "pct", args: ["set"] }, ["--hostname", "other"]);
    expectCleanFailure(r, "outside change between steps");
    expect(r.stderr).toContain('hostname: planned "web", but the object now has "other"');
    // Said as what it is (an outside change), with the fix; the saved update is counted.
    expect(r.stderr).toContain("Object changed outside pmxform during apply");
    expect(r.stderr).not.toMatch(/bug in pmxform|pmxform issue/);
    expect(r.stderr).toContain('Run "pmxform plan"');
    expect(r.stdout + r.stderr).toMatch(/0 added, 1 changed, 0 destroyed/);
    // pmxform's own steps all ran; the outside change was neither undone nor lost from the record.
    expect(conf(s)).toMatch(/hostname: other\n[\s\S]*memory: 1024\n[\s\S]*size=8G/);
    expect(stateAttrs(s)).toMatchObject({ hostname: "other", memory: 1024, rootfs: { size: "8G" } });
    const plan = await s.run("plan", "-no-color", "-detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/hostname *= "other" -> "web"/);
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });

  // Every write after the first carries the digest of a read made after pmxform's previous
  // write (providers/lxc/digest-chain.ts): the outside value is not silently overwritten.
  it("after the first write, to a key the update writes next: the apply stops naming it and keeps the outside value", { timeout: 180_000 }, async () => {
    s = await stage();
    const r = await applyWithOutsideChange(s, { tool: "pct", args: ["set"] }, ["--memory", "4096"]);
    expectCleanFailure(r, "outside change to a key written next");
    expect(r.stderr).toContain("memory (now 4096) was changed outside pmxform");
    expect(r.stderr).toMatch(/pmxform plan/);
    // The resize before it stands; the outside memory was kept, not overwritten with 1024.
    expect(conf(s)).toContain("memory: 4096");
    expect(conf(s)).toContain("size=8G");
    const plan = await s.run("plan", "-no-color");
    expect(plan.stdout).toMatch(/memory *= 4096 -> 1024/);
  });

  it("after the first write, to a key the update writes and to one it does not: the stop names only the one it writes", { timeout: 180_000 }, async () => {
    s = await stage();
    const r = await applyWithOutsideChange(s, { tool: "pct", args: ["set"] }, ["--memory", "2048", "--hostname", "other"]);
    expectCleanFailure(r, "outside change to a written and an unwritten key");
    expect(r.stderr).toContain("memory (now 2048) was changed outside pmxform");
    expect(r.stderr).not.toMatch(/hostname \(now/);
    expect(conf(s)).toMatch(/hostname: other\n[\s\S]*memory: 2048\n/);
  });
});
