// The pve backend over real sshd: two nodes of one simulated cluster, each behind its own sshd
// whose sessions run the simulator's tools as that node (the transport a real cluster gets). A
// multi-chunk state written through one node is read through the other, a lease taken over SSH
// blocks the other node's run, and with the first node's sshd stopped the second one serves.
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllSshConnections, SshRunner } from "../../src/exec/ssh.js";
import { initSim, simMainPath } from "../../src/sim/index.js";
import { createPveBackend } from "../../src/state/backends/pve.js";
import { StateLockedError } from "../../src/state/errors.js";
import { HAVE_SSHD, NO_SSHD, startSshd, type Sshd } from "../helpers/sshd.js";

const ready = HAVE_SSHD && existsSync(simMainPath());

describe.skipIf(!ready)(`pve backend over SSH${ready ? "" : ` (skipped: ${HAVE_SSHD ? "run npm run build" : NO_SSHD})`}`, () => {
  let sim: string;
  const sshd = new Map<string, Sshd>();
  const backend = (nodes: string[]) =>
    createPveBackend({
      nodes,
      runnerFor: (n) => {
        const s = sshd.get(n)!;
        return new SshRunner({ destination: "root@127.0.0.1", port: s.port, identityFile: s.clientKey, knownHostsFile: s.knownHosts, connectTimeoutS: 5, description: `${n} (ssh)` });
      },
      pveRootFor: () => join(sim, "etc/pve"),
    });

  beforeAll(async () => {
    sim = mkdtempSync(join(tmpdir(), "pmx-pve-ssh-"));
    initSim(sim, { nodes: ["pve1", "pve2"] });
    const env = (n: string) => ({ PATH: `${join(sim, "bin")}:/usr/sbin:/usr/bin:/sbin:/bin`, PMXSIM_NODE: n });
    const first = await startSshd({ env: env("pve1") });
    sshd.set("pve1", first);
    sshd.set("pve2", await startSshd({ env: env("pve2"), clientKey: first.clientKey }));
  });
  afterAll(async () => {
    closeAllSshConnections();
    for (const s of sshd.values()) await s.remove();
    rmSync(sim, { recursive: true, force: true });
  });

  it("writes a multi-chunk state through one node, reads it through another, locks across nodes, and fails over when the first node's sshd is down", async () => {
    const state = Buffer.from(JSON.stringify({ serial: 1, blob: randomBytes(1_500_000).toString("base64") }));
    const both = backend(["pve1", "pve2"]);
    await both.write("default", state, null, { lineage: "L", serial: 1 });
    expect((await backend(["pve2"]).read("default"))!.equals(state)).toBe(true);

    const held = await both.lock(
      "default",
      "exclusive",
      { id: randomUUID(), path: "default", operation: "apply", who: "alice@laptop", user: "alice", host: "laptop", pid: 1, version: "test", created: new Date().toISOString() },
      0,
    );
    const blocked = await backend(["pve2"])
      .lock("default", "shared", { id: randomUUID(), path: "default", operation: "plan", who: "bob@desk", user: "bob", host: "desk", pid: 2, version: "test", created: new Date().toISOString() }, 500)
      .catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(StateLockedError);
    expect((blocked as Error).message).toContain("Who:       alice@laptop");
    expect((blocked as Error).message).toContain("Node:      pve1");
    await held.release();

    await sshd.get("pve1")!.stop();
    closeAllSshConnections();
    const after = backend(["pve1", "pve2"]);
    await after.write("default", Buffer.from("through pve2"), { lineage: "L", serial: 1 }, { lineage: "L", serial: 2 });
    expect((await after.read("default"))!.toString()).toBe("through pve2");
    const lock = await after.lock(
      "default",
      "exclusive",
      { id: randomUUID(), path: "default", operation: "apply", who: "carol@ci", user: "carol", host: "ci", pid: 3, version: "test", created: new Date().toISOString() },
      0,
    );
    await lock.release();
  }, 240_000);
});
