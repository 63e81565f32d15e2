import { describe, expect, it } from "vitest";
import { LocalRunner } from "../../src/exec/local.js";
import { CommandError } from "../../src/exec/runner.js";
import { isTransientProxmoxError, shouldRetryCommand, withRetry } from "../../src/exec/retry.js";
import { classify } from "../../src/exec/ssh.js";

const failure = (stderr: string, exitCode = 255, argv = ["pct", "set", "100"]): CommandError => new CommandError({ argv, exitCode, stdout: "", stderr, timedOut: false, node: "pve1" });

describe("isTransientProxmoxError", () => {
  it("knows the passing Proxmox failures (texts from pve-reference §errors)", () => {
    expect(isTransientProxmoxError(failure("trying to acquire lock...\ncan't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout\n"))).toBe(true);
    expect(isTransientProxmoxError(failure("cluster not ready - no quorum?\n", 2))).toBe(true);
    expect(isTransientProxmoxError(failure("cfs-lock 'file-user_cfg' error: got lock request timeout\n", 2))).toBe(true);
  });

  it("knows a dropped SSH connection, but only with ssh's exit code 255", () => {
    expect(isTransientProxmoxError(failure("Connection closed by 10.0.0.11 port 22\r\n", 255, ["ssh", "root@10.0.0.11"]))).toBe(true);
    expect(isTransientProxmoxError(failure("kex_exchange_identification: read: Connection reset by peer\n", 255, ["ssh"]))).toBe(true);
    expect(isTransientProxmoxError(failure("Connection closed by 10.0.0.11 port 22\n", 1))).toBe(false);
  });

  it("tells ssh's own connection failures from the command's (classify)", () => {
    // A multiplexed client whose master died exits 255 and prints nothing; Proxmox always says why.
    expect(classify(255, "", "pct create")?.kind).toBe("dropped");
    expect(classify(255, "Connection to 10.0.0.11 closed by remote host.\r\n", "pct set")?.kind).toBe("dropped");
    expect(classify(255, "kex_exchange_identification: Connection closed by remote host\r\n", "pct set")?.kind).toBe("dropped");
    expect(classify(255, "unable to create CT 100 - can't find file 'local:vztmpl/x.tar.zst'\n", "pct create")).toBeUndefined();
    expect(classify(2, "", "grep -a")).toBeUndefined();
    const dropped = failure("", 255, ["pct", "create", "100"]);
    expect(isTransientProxmoxError(Object.assign(dropped, { kind: "dropped" }))).toBe(true);
    expect(shouldRetryCommand(["pct", "create", "100"], dropped)).toBe(false);
    expect(shouldRetryCommand(["pct", "config", "100"], dropped)).toBe(true);
  });

  it("does not retry real errors, including Proxmox task failures that also exit 255", () => {
    expect(isTransientProxmoxError(failure("unable to create CT 100 - can't find file 'local:vztmpl/x.tar.zst'\n"))).toBe(false);
    expect(isTransientProxmoxError(failure("400 Parameter verification failed.\nmemory: value must have a minimum value of 16\n", 2))).toBe(false);
    expect(isTransientProxmoxError(new Error("boom"))).toBe(false);
    expect(isTransientProxmoxError(undefined)).toBe(false);
    expect(isTransientProxmoxError({ aborted: true, stderr: "can't lock file 'x' - got timeout" })).toBe(false);
  });

  it("classifies a real process failure", async () => {
    const err = await new LocalRunner()
      .run([process.execPath, "-e", "console.error(\"can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout\"); process.exit(255)"])
      .catch((e: unknown) => e);
    expect(isTransientProxmoxError(err)).toBe(true);
  });
});

describe("withRetry", () => {
  const transient = failure("can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout");

  it("retries transient failures with growing, jittered delays, then succeeds", async () => {
    const delays: number[] = [];
    let calls = 0;
    const out = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 4) throw transient;
        return "done";
      },
      { isTransient: isTransientProxmoxError, attempts: 5, baseDelayMs: 8, random: () => 0.5, onRetry: (i) => delays.push(i.delayMs) },
    );
    expect(out).toBe("done");
    expect(calls).toBe(4);
    expect(delays).toEqual([6, 12, 24]); // ceiling 8,16,32: half fixed + half * 0.5
  });

  it("keeps delays between half and all of the ceiling, capped by maxDelayMs", async () => {
    const delays: number[] = [];
    await expect(
      withRetry(
        async () => {
          throw transient;
        },
        { isTransient: () => true, attempts: 6, baseDelayMs: 2, maxDelayMs: 10, random: () => 0.999, onRetry: (i) => delays.push(i.delayMs) },
      ),
    ).rejects.toBe(transient);
    expect(delays).toEqual([2, 4, 8, 10, 10]);
  });

  it("throws a non-transient error at once", async () => {
    let calls = 0;
    const real = failure("unable to create CT 100");
    await expect(
      withRetry(
        async () => {
          calls++;
          throw real;
        },
        { isTransient: isTransientProxmoxError, attempts: 5, baseDelayMs: 1 },
      ),
    ).rejects.toBe(real);
    expect(calls).toBe(1);
  });

  it("rethrows the last error when attempts run out", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient;
        },
        { isTransient: isTransientProxmoxError, attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toBe(transient);
    expect(calls).toBe(3);
  });

  it("stops waiting when the signal aborts", async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const t0 = Date.now();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient;
        },
        { isTransient: () => true, attempts: 5, baseDelayMs: 10_000, signal: ctl.signal },
      ),
    ).rejects.toBe(transient);
    expect(calls).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
