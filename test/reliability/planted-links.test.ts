// Symbolic links planted at the names pmxform writes beside the state (lock info, lock directory,
// backup, temp files) or at a plan / generated-config path never make it write to the link's
// target: the victim file keeps its bytes, and a link at a name pmxform owns is refused naming it.
import { lstatSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { writeGeneratedConfig } from "../../src/commands/generated-config.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";

const VICTIM_TEXT = "victim: must never change\n";

describe.skipIf(!BUILT)(`planted symlinks${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  const setup = async (applyFirst: boolean) => {
    const w = new Workdir("pmx-links-");
    dirs.push(w);
    w.write("main.pmx.hcl", SIM_NODE + container("web", '  vmid = 320\n  hostname = "web"'));
    if (applyFirst) {
      const a = await w.run("apply", "-auto-approve");
      expect(a.code, a.stderr).toBe(0);
      w.write("main.pmx.hcl", SIM_NODE + container("web", '  vmid = 320\n  hostname = "web2"'));
    }
    const victim = w.path("victim.txt");
    writeFileSync(victim, VICTIM_TEXT);
    return { w, victim };
  };
  afterAll(() => dirs.forEach((w) => w.remove()));

  const expectRefused = (r: { code: number; stderr: string }, name: string) => {
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${name}: it is a symbolic link`);
    expect(r.stderr).not.toContain("internal error");
  };

  it("refuses a link at <state>.lock.info and leaves its target alone", async () => {
    const { w, victim } = await setup(false);
    symlinkSync(victim, w.path("pmxform.state.json.lock.info"));
    // The exclusive lock writes the info (plan's shared lock registers in lock.readers/ instead).
    const r = await w.run("apply", "-auto-approve");
    expectRefused(r, "pmxform.state.json.lock.info");
    expect(readFileSync(victim, "utf8")).toBe(VICTIM_TEXT);
    // The lock was given back: once the link is gone, plan runs.
    expect(lstatSync(w.path("pmxform.state.json.lock.info")).isSymbolicLink()).toBe(true);
  });

  it("refuses a link at <state>.lock.readers (plan's shared lock) and writes nothing through it", async () => {
    const { w } = await setup(false);
    symlinkSync(w.path("elsewhere"), w.path("pmxform.state.json.lock.readers"));
    expectRefused(await w.run("plan"), "pmxform.state.json.lock.readers");
    expect(readdirSync(w.dir)).not.toContain("elsewhere");
  });

  it("refuses a link at <state>.lock (the lock directory)", async () => {
    const { w } = await setup(false);
    symlinkSync(w.path("elsewhere"), w.path("pmxform.state.json.lock"));
    expectRefused(await w.run("plan"), "pmxform.state.json.lock");
  });

  it("refuses a link at <state>.backup before changing anything, and the victim keeps its bytes", async () => {
    const { w, victim } = await setup(true);
    symlinkSync(victim, w.path("pmxform.state.json.backup"));
    const r = await w.run("apply", "-auto-approve");
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toContain("pmxform.state.json.backup: it is a symbolic link");
    expect(r.stderr).not.toContain("internal error");
    expect(readFileSync(victim, "utf8")).toBe(VICTIM_TEXT);
    expect(readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/320.conf"), "utf8")).toContain("hostname: web\n");
  });

  it("writes the state through unpredictable temp names: links at every <state>.tmp-<pid> name nearby are never followed", async () => {
    const { w, victim } = await setup(true);
    // The old name was <state>.tmp-<pid>; plant it for every pid the next runs could get.
    const maxPid = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8"));
    const base = Number(readFileSync("/proc/sys/kernel/ns_last_pid", "utf8"));
    for (let pid = base; pid < Math.min(base + 2000, maxPid); pid++) symlinkSync(victim, w.path(`pmxform.state.json.tmp-${pid}`));
    const r = await w.run("apply", "-auto-approve");
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe(VICTIM_TEXT);
    expect((JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { attributes: Record<string, unknown> }[] }).resources[0]!.attributes["hostname"]).toBe("web2");
    expect(readdirSync(w.dir).filter((f) => /\.tmp-\d+-/.test(f))).toEqual([]);
  });

  it("never writes a plan file or generated configuration through a dangling link", async () => {
    const { w } = await setup(false);
    const target = w.path("created-through-link.txt");
    symlinkSync(target, w.path("plan.out"));
    const p = await w.run("plan", "-out", "plan.out");
    expectRefused(p, "plan.out");
    symlinkSync(target, w.path("gen.pmx.hcl"));
    expect(writeGeneratedConfig("gen.pmx.hcl", w.dir, []).diagnostic?.summary).toBe("Target generated file already exists");
    expect(() => lstatSync(target)).toThrow();
  });
});
