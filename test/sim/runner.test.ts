// The simulator driven through the runner that drives real nodes (SimRunner = LocalRunner with
// pct/pvesh/... mapped to DIR/bin): results, CommandError with exit code and stderr, okCodes,
// timeouts provoked by a hanging fault, and redaction of secrets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimRunner } from "../../src/exec/sim.js";
import { CommandError } from "../../src/exec/runner.js";
import { initSim, readCalls, setFaults } from "../../src/sim/index.js";
import { DEBIAN, simBuilt, skipMessage } from "./helpers.js";

async function failure(p: Promise<unknown>): Promise<CommandError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CommandError) return e;
    throw e;
  }
  throw new Error("expected the command to fail");
}

describe.skipIf(!simBuilt)(`SimRunner against the simulator (${simBuilt ? "built" : skipMessage})`, () => {
  let dir: string;
  let pve1: SimRunner;
  let pve2: SimRunner;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pmxsim-runner-"));
    initSim(dir, { nodes: ["pve1", "pve2"], latencyMs: 0 });
    pve1 = new SimRunner(dir, "pve1");
    pve2 = new SimRunner(dir, "pve2");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a CT and reads its config back", async () => {
    const created = await pve1.run(["pct", "create", "100", DEBIAN, "--hostname", "web", "--rootfs", "local-lvm:8", "--memory", "1024"]);
    expect(created.exitCode).toBe(0);
    expect(created.stdout).toContain('Logical volume "vm-100-disk-0" created.');
    const config = await pve1.run(["pct", "config", "100"]);
    expect(config.stdout).toContain("hostname: web\n");
    expect(config.stdout).toContain("memory: 1024\n");
    expect(config.stdout).toContain("rootfs: local-lvm:vm-100-disk-0,size=8G\n");
    expect(config.stderr).toBe("");
  });

  it("acts as the node it names", async () => {
    const resources = JSON.parse((await pve2.run(["pvesh", "get", "/cluster/resources", "--type", "vm", "--output-format", "json"])).stdout) as { vmid: number; node: string }[];
    expect(resources.map((r) => [r.vmid, r.node])).toEqual([[100, "pve1"]]);
    const e = await failure(pve2.run(["pct", "config", "100"]));
    expect(e.stderr).toBe("Configuration file 'nodes/pve2/lxc/100.conf' does not exist\n");
    expect(readCalls(dir).at(-1)).toMatchObject({ node: "pve2", tool: "pct", argv: ["config", "100"], exit: 255 });
  });

  it("turns a failing call into a CommandError with the exit code and the tool's stderr", async () => {
    const e = await failure(pve1.run(["pct", "create", "100", DEBIAN]));
    expect(e.exitCode).toBe(255);
    expect(e.timedOut).toBe(false);
    expect(e.stderr).toBe("CT 100 already exists on node 'pve1'\n");
    expect(e.node).toBe("pve1 (simulator)");
    expect(e.message).toBe("pct create on pve1 (simulator) failed (exit 255): CT 100 already exists on node 'pve1'");

    const param = await failure(pve1.run(["pct", "set", "100", "--cores", "many"]));
    expect(param.stderr).toBe("400 Parameter verification failed.\ncores: type check ('integer') failed - got 'many'\npct set <vmid> [OPTIONS]\n");
    expect(param.message).toMatch(/failed \(exit 255\): 400 Parameter verification failed\.\ncores: type check/);
    expect(param.message).not.toContain("pct set <vmid>"); // the usage synopsis is noise in an error
  });

  it("accepts the exit codes listed in okCodes", async () => {
    const r = await pve1.run(["pct", "config", "999"], { okCodes: [0, 255] });
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toBe("Configuration file 'nodes/pve1/lxc/999.conf' does not exist\n");
    expect(r.stdout).toBe("");
  });

  it("reports an injected fault as the real tool would fail", async () => {
    setFaults(dir, [{ tool: "pct", args: ["start", "100"], exit: 255, stderr: "cluster not ready - no quorum?" }]);
    try {
      const e = await failure(pve1.run(["pct", "start", "100"]));
      expect(e.exitCode).toBe(255);
      expect(e.message).toBe("pct start on pve1 (simulator) failed (exit 255): cluster not ready - no quorum?");
      // the fault was used up: the next start runs for real
      expect((await pve1.run(["pct", "start", "100"])).exitCode).toBe(0);
      expect((await pve1.run(["pct", "status", "100"])).stdout).toBe("status: running\n");
    } finally {
      setFaults(dir, []);
    }
  });

  it("times out a hanging call and kills it", async () => {
    setFaults(dir, [{ tool: "pct", args: ["status", "100"], hangMs: 20_000 }]);
    try {
      const started = Date.now();
      const e = await failure(pve1.run(["pct", "status", "100"], { timeoutMs: 400 }));
      expect(e.timedOut).toBe(true);
      expect(e.message).toBe("pct status on pve1 (simulator) failed (timed out)");
      expect(Date.now() - started).toBeLessThan(2_500); // SIGTERM ends it (SIGKILL would follow after 3 s)
    } finally {
      setFaults(dir, []);
    }
  });

  it("hides secrets from the error's message, argv and stderr", async () => {
    const secret = "tok-5f3a9c1e";
    // the simulator, like PVE, echoes a value that fails its type check
    const e = await failure(pve1.run(["pct", "set", "100", "--memory", secret], { redact: [secret] }));
    expect(e.stderr).toContain("memory: type check ('integer') failed - got '***'");
    expect(e.message).toContain("got '***'");
    expect(e.argv).toEqual(["pct", "set", "100", "--memory", "***"]);
    expect(JSON.stringify({ message: e.message, argv: e.argv, stderr: e.stderr, stdout: e.stdout })).not.toContain(secret);

    const pw = await failure(pve1.run(["pct", "create", "101", DEBIAN, "--password", secret, "--storage", "nosuch"], { redact: [secret] }));
    expect(pw.stderr).toBe("400 Parameter verification failed.\nstorage: storage 'nosuch' does not exist\npct create <vmid> <ostemplate> [OPTIONS]\n");
    expect(pw.argv).not.toContain(secret);
    expect(pw.argv).toContain("***");
  });
});
