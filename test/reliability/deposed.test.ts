// create_before_destroy after a killed apply, through the CLI on the simulator: killed between
// the new container's create and the old one's destroy, the next plan destroys the deposed old
// container (and a deposed container removed by hand is dropped silently); killed during the
// create, the new container is adopted and the old one destroyed.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setFaults } from "../../src/sim/faults.js";
import type { StateFile } from "../../src/state/types.js";
import { BIN, BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";

const DEBIAN = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
const ALPINE = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz";

const config = (template: string) => `${SIM_NODE}
resource "lxc_container" "web" {
  node     = "pve1"
  hostname = "web"
  template = "${template}"
  started  = true
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
  lifecycle {
    create_before_destroy = true
  }
}
`;

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 4000 && !cond(); i++) await new Promise((r) => setTimeout(r, 15));
  if (!cond()) throw new Error("condition not reached");
}

describe.skipIf(!BUILT)(`deposed objects left by a killed create_before_destroy apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const state = (): StateFile => JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as StateFile;
  const vmidOf = (s: StateFile): number => Number(s.resources.find((r) => r.address === "lxc_container.web")!.attributes["vmid"]);
  const conf = (vmid: number) => w.path(`sim/etc/pve/nodes/pve1/lxc/${vmid}.conf`);

  /** Runs apply in its own process group with `pct ARGS` hanging, kills the group once `ready` holds, removes the lock. */
  async function killedApply(hang: string[], ready: () => boolean): Promise<void> {
    setFaults(w.path("sim"), [{ tool: "pct", args: hang, hangMs: 60_000 }]);
    const child = spawn(process.execPath, [BIN, "apply", "-auto-approve"], { cwd: w.dir, detached: true, stdio: "ignore" });
    const exited = new Promise((r) => child.on("exit", r));
    try {
      await until(ready);
    } finally {
      process.kill(-child.pid!, "SIGKILL");
      await exited;
      setFaults(w.path("sim"), []);
    }
    const lockId = (JSON.parse(readFileSync(w.path("pmxform.state.json.lock.info"), "utf8")) as { id: string }).id;
    expect((await w.run("force-unlock", lockId)).code).toBe(0);
  }

  beforeAll(async () => {
    w = new Workdir("pmx-deposed-");
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
    w.write("main.pmx.hcl", config(DEBIAN));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
  });
  afterAll(() => w?.remove());

  it("destroys the old container of a replacement killed before its destroy, on the next apply", async () => {
    const old = vmidOf(state());
    w.write("main.pmx.hcl", config(ALPINE));
    // The delete intent is on disk right before pct destroy runs (and hangs).
    await killedApply(["destroy", String(old)], () => existsSync(w.path("pmxform.state.json")) && (state().intents ?? []).some((i) => i.operation === "delete" && i.vmid === old));
    const left = state();
    const now = vmidOf(left);
    expect(now).not.toBe(old);
    expect(left.deposed).toHaveLength(1);
    expect(left.deposed![0]!.attributes["vmid"]).toBe(old);
    const key = left.deposed![0]!.deposed_key!;
    expect(key).toMatch(/^[0-9a-f]{8}$/);
    expect(existsSync(conf(old)) && existsSync(conf(now))).toBe(true);

    const plan = await w.run("plan", "-detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(`# lxc_container.web (deposed object ${key}) will be destroyed`);
    expect(plan.stdout).toContain(`# (left by an interrupted create_before_destroy replacement: vmid ${old} on pve1)`);
    expect(plan.stdout).toContain("Plan: 0 to add, 0 to change, 1 to destroy.");
    const json = JSON.parse((await w.run("plan", "-json")).stdout) as { resource_changes: { address: string; deposed?: string; change: { actions: string[] } }[] };
    expect(json.resource_changes.filter((c) => c.deposed)).toEqual([expect.objectContaining({ address: "lxc_container.web", deposed: key, change: expect.objectContaining({ actions: ["delete"] }) })]);

    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain(`lxc_container.web (deposed object ${key}): Destruction complete`);
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 0 changed, 1 destroyed.");
    expect(existsSync(conf(old))).toBe(false);
    expect(existsSync(conf(now))).toBe(true);
    const after = state();
    expect(after.deposed).toBeUndefined();
    expect(after.intents).toBeUndefined();
    expect(vmidOf(after)).toBe(now);
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  });

  it("drops a deposed container that was removed by hand, without planning anything for it", async () => {
    const old = vmidOf(state());
    w.write("main.pmx.hcl", config(DEBIAN));
    await killedApply(["destroy", String(old)], () => (state().intents ?? []).some((i) => i.operation === "delete" && i.vmid === old));
    expect(state().deposed?.map((d) => d.attributes["vmid"])).toEqual([old]);
    rmSync(conf(old)); // pct destroy by hand, as far as pmxform can tell

    const plan = await w.run("plan", "-detailed-exitcode");
    expect(plan.stdout).toContain("No changes.");
    expect(plan.stdout + plan.stderr).not.toContain("deposed");
    expect(plan.code).toBe(0);
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    expect(state().deposed).toBeUndefined();
    expect(state().intents).toBeUndefined();
  });

  it("adopts the new container of a replacement killed during its create, and destroys the old one", async () => {
    const old = vmidOf(state());
    w.write("main.pmx.hcl", config(ALPINE));
    // The new container exists (pct create is done) and pct start hangs: not recorded yet.
    const createdConf = (): string | undefined => {
      const vmid = (state().intents ?? []).find((i) => i.operation === "create")?.vmid;
      return vmid !== undefined && existsSync(conf(vmid)) ? readFileSync(conf(vmid), "utf8") : undefined;
    };
    // pct start holds the CT lock while it hangs; pct create has finished (marker written, unlocked).
    await killedApply(["start"], () => {
      const text = createdConf();
      return (
        text !== undefined &&
        text.includes("pmxform-") &&
        !/^lock:/m.test(text) &&
        existsSync(w.path(`sim/run/lock/lxc/pve-config-${String(state().intents!.find((i) => i.operation === "create")!.vmid)}.lock`))
      );
    });
    const left = state();
    const created = left.intents!.find((i) => i.operation === "create")!.vmid!;
    expect(vmidOf(left)).toBe(old);
    expect(left.deposed!.map((d) => d.attributes["vmid"])).toEqual([old]);

    const plan = await w.run("plan");
    expect(plan.stderr).toContain(`lxc_container.web: adopted container pve1/${created} left by an interrupted run as the replacement of pve1/${old}, which stays deposed`);
    expect(plan.stderr).not.toContain("half-created");
    expect(plan.stdout).toMatch(/lxc_container\.web \(deposed object [0-9a-f]{8}\) will be destroyed/);
    expect(plan.stdout).toContain(`vmid ${old} on pve1`);
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(0);
    expect(existsSync(conf(old))).toBe(false);
    const after = state();
    expect(vmidOf(after)).toBe(created);
    expect(after.deposed).toBeUndefined();
    expect(after.intents).toBeUndefined();
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  });
});
