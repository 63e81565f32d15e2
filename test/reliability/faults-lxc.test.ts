// Fault injection over one apply that creates (with mounts and a password), updates (set +
// resize) and destroys containers: every pct/pvesh call of it is made to fail once in turn; each
// run must end with a clear error and an honest state, and a rerun must converge. Transient
// Proxmox failures are retried visibly; permanent ones are not retried.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallRecord } from "../../src/sim/calllog.js";
import { BUILT, NOT_BUILT, Workdir } from "../e2e/helpers.js";
import { callCount, callsSince, cloneWorkdir, describeCall, expectCleanFailure, expectConverges, faultFor, injectFaults, pool, run, simVmids, unknownToState } from "./faults-harness.js";

const NODE = `proxmox {
  node "pve1" {
    sim            = "sim"
    retry_delay_ms = 5
  }
}
variable "root_pw" {
  type      = string
  sensitive = true
  default   = "fault-test-pw"
}
`;
const ct = (name: string, vmid: number, body: string) => `resource "lxc_container" "${name}" {
  node     = "pve1"
  vmid     = ${vmid}
  hostname = "${name}"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
${body}
}
`;
const disk = (size: string) => `  rootfs {
    storage = "local-lvm"
    size    = "${size}"
  }`;

const BEFORE = NODE + ct("keep", 200, `  memory = 512\n${disk("4G")}`) + ct("gone", 201, disk("4G"));
const AFTER =
  NODE +
  ct("keep", 200, `  memory = 1024\n${disk("6G")}`) +
  ct(
    "fresh",
    202,
    `  password = var.root_pw
${disk("4G")}
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
  mount "share" {
    host_path = "/srv/share"
    path      = "/share"
    read_only = true
    idmap     = "passthrough"
  }
  started = true`,
  );

/** Calls whose failure an apply survives by design (providers/oci/snapshot.ts: an unreadable
 * template listing keeps images as recorded; providers/lxc/snapshot.ts readNodeBridges: an
 * unreadable bridge list only skips the plan's bridge check). */
const TOLERATED = [
  (c: CallRecord) => c.tool === "pvesh" && /^\/nodes\/[^/]+\/storage\/[^/]+\/content$/.test(c.argv[1] ?? ""),
  (c: CallRecord) => c.tool === "pvesh" && /^\/nodes\/[^/]+\/network$/.test(c.argv[1] ?? ""),
];

/**
 * Failures after \`pct create\` succeeded leave a container that only an intent records; until
 * the next plan reconciles intents (issue 10 part A: adoption by vmid + marker) the rerun stops at
 * "VMID already in use". Empty this list when that lands: the test then requires convergence.
 */
const KNOWN_NOT_CONVERGING: string[] = [];

const PERMANENT = { stderr: "unable to apply: injected permanent failure (fault test)", exit: 255 };
const LOCK_TIMEOUT = { stderr: "CT 200: can't lock file '/run/lock/lxc/pve-config-200.lock' - got timeout", exit: 255 };
const NO_QUORUM = { stderr: "cluster not ready - no quorum?", exit: 255 };

describe.skipIf(!BUILT)(`fault injection: lxc apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let baseline: Workdir;
  let calls: CallRecord[];
  const made: Workdir[] = [];
  const trialDir = (name: string) => {
    const w = cloneWorkdir(baseline, `pmx-fault-${name}-`);
    made.push(w);
    w.write("main.pmx.hcl", AFTER);
    return w;
  };

  beforeAll(async () => {
    baseline = new Workdir("pmx-fault-base-");
    baseline.write("main.pmx.hcl", BEFORE);
    const first = await run(baseline, ["apply", "--auto-approve"]);
    expect(first.code, first.stderr).toBe(0);
    // Record the calls of the apply under test once, on a clone.
    const rec = trialDir("record");
    const before = callCount(rec);
    const r = await run(rec, ["apply", "--auto-approve"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Apply complete! Resources: 1 added, 1 changed, 1 destroyed.");
    calls = callsSince(rec, before);
  }, 180_000);
  afterAll(() => {
    for (const w of [baseline, ...made]) w?.remove();
  });

  it("records an apply that creates, updates, resizes, starts, sets a password and destroys", () => {
    const verbs = calls.map((c) => `${c.tool} ${c.argv[0]}`);
    for (const v of ["pvesh get", "pct create", "pct set", "pct resize", "pct destroy", "pct start", "pct exec"]) expect(verbs).toContain(v);
  });

  it("every call failing once: clear error, state knows every container, rerun converges", async () => {
    const problems: string[] = [];
    let clean = 0;
    await pool(
      calls.map((_, k) => k),
      3,
      async (k) => {
        const call = calls[k]!;
        const what = `call ${k} (${describeCall(call)})`;
        const w = trialDir(`k${k}`);
        try {
          injectFaults(w, [faultFor(calls, k, PERMANENT)]);
          const before = callCount(w);
          const r = await run(w, ["apply", "--auto-approve"]);
          if (!(TOLERATED.some((t) => t(call)) && r.code === 0)) {
            // (A tolerated read may also fail the run; then it must fail like any other.)
            expectCleanFailure(r, what);
            expect(r.stderr, what).toContain("injected permanent failure");
            // Permanent: the failed call was made exactly once, never retried.
            const failed = callsSince(w, before).filter((c) => c.exit === PERMANENT.exit);
            expect(failed.map(describeCall), what).toEqual([describeCall(call)]);
            expect(r.stderr, what).not.toMatch(/retrying in/);
            expect(unknownToState(w), `${what}: containers the state lost`).toEqual([]);
            clean++;
          }
          try {
            await expectConverges(w, what);
            expect(simVmids(w), what).toEqual([200, 202]);
          } catch (e) {
            problems.push(`${describeCall(call)}: rerun does not converge`);
            if (!KNOWN_NOT_CONVERGING.includes(`${describeCall(call)}: rerun does not converge`)) console.error(String(e));
          }
        } finally {
          w.remove();
        }
      },
    );
    console.log(`fault injection (lxc): ${calls.length} calls failed in turn, ${clean} runs ended with a clean error, ${calls.length - problems.length} reruns converged`);
    expect(problems.sort()).toEqual([...KNOWN_NOT_CONVERGING].sort());
  }, 400_000);

  it("retries a busy config lock and a lost quorum, saying so, and completes", async () => {
    const w = trialDir("transient");
    const set = calls.findIndex((c) => c.tool === "pct" && c.argv[0] === "set");
    const create = calls.findIndex((c) => c.tool === "pct" && c.argv[0] === "create");
    injectFaults(w, [{ ...faultFor(calls, set, LOCK_TIMEOUT), times: 2 }, faultFor(calls, create, NO_QUORUM)]);
    const before = callCount(w);
    const r = await run(w, ["apply", "--auto-approve"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Apply complete! Resources: 1 added, 1 changed, 1 destroyed.");
    // Each retry is one visible line naming the command and the reason.
    expect(r.stderr).toMatch(/pct set failed \(CT 200: can't lock file .* got timeout\); retrying in .*\(attempt 2 of 4\)/);
    expect(r.stderr).toMatch(/pct set failed .*\(attempt 3 of 4\)/);
    expect(r.stderr).toMatch(/pct create failed \(cluster not ready - no quorum\?\); retrying in .*\(attempt 2 of 4\)/);
    const made = callsSince(w, before);
    expect(made.filter((c) => c.argv[0] === "set" && c.argv[1] === "200").map((c) => c.exit)).toEqual([255, 255, 0]);
    expect(made.filter((c) => c.argv[0] === "create").map((c) => c.exit)).toEqual([255, 0]);
    const plan = await run(w, ["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(0);
  }, 180_000);

  it("gives up on a transient failure that outlasts the retries, with a clear error", async () => {
    const w = trialDir("transient-long");
    const set = calls.findIndex((c) => c.tool === "pct" && c.argv[0] === "set");
    injectFaults(w, [{ ...faultFor(calls, set, LOCK_TIMEOUT), times: 10 }]);
    const before = callCount(w);
    const r = await run(w, ["apply", "--auto-approve"]);
    expectCleanFailure(r, "lock held throughout");
    expect(r.stderr).toMatch(/got timeout/);
    expect(callsSince(w, before).filter((c) => c.argv[0] === "set" && c.argv[1] === "200")).toHaveLength(4);
    expect(unknownToState(w)).toEqual([]);
    await expectConverges(w, "lock held throughout");
  }, 180_000);
});
