// The steps of an update that used to run without a digest check take part in the digest chain
// (providers/lxc/digest-chain.ts): pct move-volume carries --digest, and the pct set --delete of a
// detached volume carries the digest of the read its unusedN keys were found in. Another person
// changes the conf while pmxform is held at exactly that step (src/sim/faults.ts Fault.gate).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Fault } from "../../src/sim/faults.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container, simCalls, type CliResult } from "../e2e/helpers.js";
import { runHeldAt } from "../helpers/gate.js";
import { expectCleanFailure } from "./faults-harness.js";

const mount = (name: string, storage: string) => `  mount "${name}" {
    storage = "${storage}"
    size    = "1G"
    path    = "/${name}"
  }
`;

async function stage(vmid: number, before: string, after: string): Promise<Workdir> {
  const w = new Workdir("pmx-chainsteps-");
  expect((await w.run("sim", "init", "sim")).code).toBe(0);
  w.write("main.pmx.hcl", SIM_NODE + container("web", `  vmid     = ${vmid}\n  hostname = "web"\n  started  = false\n${before}`));
  const first = await w.run("apply", "-auto-approve");
  expect(first.code, first.stderr).toBe(0);
  w.write("main.pmx.hcl", SIM_NODE + container("web", `  vmid     = ${vmid}\n  hostname = "web"\n  started  = false\n${after}`));
  return w;
}

/** Apply with pmxform's first call matching `step` held while "another person" runs each pct argv of `outside`. */
async function applyWithOutsideChange(w: Workdir, step: Omit<Fault, "gate">, outside: string[][]): Promise<CliResult> {
  const held = await runHeldAt(w.path("sim"), step, w.dir, ["apply", "-auto-approve"]);
  for (const argv of outside) execFileSync(w.path("sim/bin/pct"), argv);
  held.open();
  return held.done;
}

const conf = (w: Workdir, vmid: number) => readFileSync(w.path(`sim/etc/pve/nodes/pve1/lxc/${vmid}.conf`), "utf8");
const pctCalls = (w: Workdir, verb: string) => simCalls(w).filter((c) => c.tool === "pct" && c.argv[0] === verb);

describe.skipIf(!BUILT)(`digest-checked move-volume and detached-volume deletion${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir | undefined;
  afterEach(() => w?.remove());

  it("a key the update writes changed just before pct move-volume: the move is refused, nothing moves, and the stop names the change", { timeout: 180_000 }, async () => {
    w = await stage(152, `  memory   = 512\n${mount("data", "local-lvm")}`, `  memory   = 1024\n${mount("data", "local")}`);
    const r = await applyWithOutsideChange(w, { tool: "pct", args: ["move-volume"] }, [["set", "152", "--memory", "4096"]]);
    expectCleanFailure(r, "outside change before move-volume");
    expect(r.stderr).toContain("memory (now 4096) was changed outside pmxform");
    expect(r.stderr).toMatch(/pmxform plan/);
    // The one move-volume pmxform ran carried the digest of its read and was refused: mp0 did not move.
    const moves = pctCalls(w, "move-volume");
    expect(moves).toHaveLength(1);
    expect(moves[0]!.argv).toEqual(["move-volume", "152", "mp0", "local", "--delete", "1", "--digest", expect.stringMatching(/^[0-9a-f]{40}$/)]);
    expect(conf(w, 152)).toMatch(/^mp0: local-lvm:vm-152-disk-1,mp=\/data,size=1G$/m);
    expect(conf(w, 152)).toContain("memory: 4096");
  });

  it("the move is the update's first write: it carries the plan's digest, so any change since the plan refuses it and nothing moves", { timeout: 180_000 }, async () => {
    w = await stage(155, mount("data", "local-lvm"), mount("data", "local"));
    const r = await applyWithOutsideChange(w, { tool: "pct", args: ["move-volume"] }, [["set", "155", "--hostname", "other"]]);
    expectCleanFailure(r, "outside change before the first write, a move");
    expect(r.stderr).toContain("the container was changed outside pmxform since the plan was made");
    expect(pctCalls(w, "move-volume")).toHaveLength(1);
    expect(conf(w, 155)).toMatch(/^mp0: local-lvm:vm-155-disk-1,mp=\/data,size=1G$/m);
  });

  it("a key the update does not write changed just before a later pct move-volume: refused once, read again, moved with the new digest", { timeout: 180_000 }, async () => {
    w = await stage(154, `  memory   = 512\n${mount("data", "local-lvm")}`, `  memory   = 1024\n${mount("data", "local")}`);
    const r = await applyWithOutsideChange(w, { tool: "pct", args: ["move-volume"] }, [["set", "154", "--hostname", "other"]]);
    // The outside hostname stands (the after-apply check reports it); the move went through.
    expect(r.stderr).toContain("Object changed outside pmxform during apply");
    const digests = pctCalls(w, "move-volume").map((c) => c.argv.at(-1));
    expect(digests).toHaveLength(2);
    expect(digests[0]).not.toBe(digests[1]);
    expect(conf(w, 154)).toMatch(/^mp0: local:154\/vm-154-disk-\d+\.raw,mp=\/data,size=1G$/m);
    expect(conf(w, 154)).toMatch(/hostname: other\n[\s\S]*memory: 1024\n/);
  });

  // Without the digest, pmxform's `pct set --delete unused0` would delete whatever unused0 holds
  // by then: here another mount's volume, detached by someone else in between.
  it("unused0 reused by someone else before the detached volume's deletion: refused, read again, and the other volume is left alone", { timeout: 180_000 }, async () => {
    w = await stage(153, mount("gone", "local-lvm") + mount("other", "local-lvm"), `  allow_volume_removal = true\n${mount("other", "local-lvm")}`);
    const otherVolume = w.path("sim/nodes/pve1/lvm/vm-153-disk-2");
    expect(existsSync(otherVolume)).toBe(true);
    const r = await applyWithOutsideChange(w, { tool: "pct", args: ["set", "153"], argsRegex: "--delete unused0" }, [
      ["set", "153", "--delete", "unused0"],
      ["set", "153", "--delete", "mp1"],
    ]);
    expectCleanFailure(r, "unused0 reused");
    expect(conf(w, 153)).toMatch(/^unused0: local-lvm:vm-153-disk-2$/m);
    expect(existsSync(otherVolume)).toBe(true);
    const deletes = pctCalls(w, "set").filter((c) => c.argv.includes("unused0") && c.argv.includes("--digest"));
    // Only pmxform's refused attempt: the read after it found the volume to delete gone.
    expect(deletes).toHaveLength(1);
  });
});
