// The three leftovers a killed apply can leave, each provoked deterministically: a container
// created but not configured yet (adopted, then updated in place), the `lock: create`
// placeholder of a killed pct create (never adopted: nothing in it says whose create wrote it;
// the intent stays with the commands that clear it) and a destroy that finished without being
// recorded (completed).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setFaults } from "../../src/sim/faults.js";
import { BIN, BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 4000 && !cond(); i++) await new Promise((r) => setTimeout(r, 15));
  if (!cond()) throw new Error("condition not reached");
};

function stateWith(extra: object): string {
  return JSON.stringify({ version: 1, pmxform_version: "0.1.0", lineage: "8f0c2a64-1b9e-4d57-9a51-2f6f3c1d0e11", serial: 3, resources: [], outputs: {}, ...extra }, null, 2);
}

describe.skipIf(!BUILT)(`recovering what a killed apply left${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(async () => {
    w = new Workdir("pmx-recover-");
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
  });
  afterEach(() => w.remove());

  it("adopts a container killed between pct create and pct start, and finishes it in place", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("web", "  vmid    = 270\n  started = true"));
    setFaults(w.path("sim"), [{ tool: "pct", args: ["start", "270"], hangMs: 30_000 }]);
    const child = spawn(process.execPath, [BIN, "apply", "-auto-approve"], { cwd: w.dir, detached: true, stdio: "ignore" });
    const exited = new Promise((r) => child.on("exit", r));
    // pct start holds the CT lock while it hangs: the create is complete and unrecorded.
    const conf = w.path("sim/etc/pve/nodes/pve1/lxc/270.conf");
    await until(() => existsSync(conf) && readFileSync(conf, "utf8").includes("pmxform-") && existsSync(w.path("sim/run/lock/lxc/pve-config-270.lock")));
    process.kill(-child.pid!, "SIGKILL");
    await exited;
    const left = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: unknown[]; intents: unknown[] };
    expect(left.resources).toEqual([]);
    expect(left.intents).toMatchObject([{ address: "lxc_container.web", operation: "create", node: "pve1", vmid: 270 }]);
    setFaults(w.path("sim"), []);
    // The killed run's state lock stays until it is stale; a user removes it as the error says.
    const lockId = (JSON.parse(readFileSync(w.path("pmxform.state.json.lock.info"), "utf8")) as { id: string }).id;
    expect((await w.run("force-unlock", lockId)).code).toBe(0);

    const plan = await w.run("plan");
    expect(plan.stderr).toContain("lxc_container.web: adopted container pve1/270 left by an interrupted run");
    expect(plan.stdout).toContain("0 to add, 1 to change, 0 to destroy");
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    expect(existsSync(w.path("sim/run/pve1/270.running"))).toBe(true);
    const after = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string }[]; intents?: unknown };
    expect(after.resources.map((r) => r.address)).toEqual(["lxc_container.web"]);
    expect(after.intents).toBeUndefined();
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  });

  it("leaves the bare lock: create placeholder of a killed pct create alone (nothing says whose) and says how to clear it", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("web", ""));
    writeFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/271.conf"), "lock: create\n");
    writeFileSync(w.path("sim/nodes/pve1/lvm/vm-271-disk-0"), JSON.stringify({ size: 4294967296 }));
    writeFileSync(w.path("pmxform.state.json"), stateWith({ intents: [{ address: "lxc_container.web", operation: "create", node: "pve1", vmid: 271, started: "2026-01-01T00:00:00.000Z" }] }), {
      mode: 0o600,
    });

    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(0);
    expect(apply.stderr).toContain('lxc_container.web: CT 271 on pve1 is the bare "lock: create" placeholder of an interrupted pct create');
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    // Another project's create could have written it: untouched, and the intent stays.
    expect(readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/271.conf"), "utf8")).toBe("lock: create\n");
    const kept = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { intents?: { vmid: number }[] };
    expect(kept.intents?.map((i) => i.vmid)).toEqual([271]);
    // Cleared the way the warning says, the intent goes with the next plan and nothing is left.
    execFileSync(w.path("sim/bin/pct"), ["unlock", "271"]);
    execFileSync(w.path("sim/bin/pct"), ["destroy", "271", "--purge", "1", "--destroy-unreferenced-disks", "1"]);
    expect(readdirSync(w.path("sim/nodes/pve1/lvm")).filter((v) => v.startsWith("vm-271-"))).toEqual([]);
    const again = await w.run("apply", "-auto-approve");
    expect(again.stderr).toBe("");
    const after = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { intents?: unknown };
    expect(after.intents).toBeUndefined();
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  });

  it("completes a destroy that finished but was not recorded", async () => {
    w.write("main.pmx.hcl", SIM_NODE);
    const web = {
      address: "lxc_container.web",
      type: "lxc_container",
      name: "web",
      provider: "proxmox",
      attributes: { node: "pve1", vmid: 272, started: false },
      sensitive_attributes: [],
      dependencies: [],
    };
    writeFileSync(
      w.path("pmxform.state.json"),
      stateWith({ resources: [web], intents: [{ address: "lxc_container.web", operation: "delete", node: "pve1", vmid: 272, started: "2026-01-01T00:00:00.000Z" }] }),
      { mode: 0o600 },
    );
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(0);
    expect(apply.stderr).toContain("lxc_container.web: pve1/272 was being destroyed by an interrupted run and is gone now; it is removed from the state.");
    const after = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: unknown[]; intents?: unknown };
    expect(after).toMatchObject({ resources: [] });
    expect(after.intents).toBeUndefined();
  });
});
