// Issue 23.10: a plan busy in a long synchronous evaluation ignored SIGTERM (and Ctrl-C): the
// signal-exit listeners proper-lockfile installs replace the default action and can only run once
// the event loop is free. With them removed, a real SIGTERM/SIGINT sent to a real `pmxform plan`
// child mid-loop ends it within seconds; the state is untouched. plan holds the state's SHARED lock
// (src/state/lock.ts: a reader registration in `<state>.lock.readers/`, no lock directory); the
// registration a killed plan leaves behind is no longer refreshed (its heartbeat could not even
// run during the loop) and counts as gone once STALE_LOCK_MS old: the next apply, which takes the
// exclusive lock and waits for readers, waits at most that long and removes it.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { STALE_LOCK_MS } from "../../src/state/lock-info.js";
import { BIN, BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";

// 10^9 iterations of the evaluator: minutes of synchronous work, little memory.
const BUSY = `locals {
  r = range(1000)
  x = length([for a in local.r : length([for b in local.r : length([for c in local.r : c if c > b])])])
}
output "x" {
  value = local.x
}
`;

/** CPU seconds a process has used (utime + stime from /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The reader registrations (one JSON file per plan holding the shared lock) of the state in `dir`. */
function readerFiles(w: Workdir): string[] {
  try {
    return readdirSync(w.path("pmxform.state.json.lock.readers")).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
}

describe.skipIf(!BUILT)(`a busy plan stops on a signal${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  // A failed expectation must not leave a busy plan spinning for the rest of the suite.
  const children: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    dirs.forEach((w) => w.remove());
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s ends a plan stuck in a synchronous loop within seconds",
    async (sig) => {
      const w = new Workdir("pmx-sigterm-");
      dirs.push(w);
      // A state to protect: apply a container first, then add the busy locals.
      const plain = SIM_NODE + container("web", "");
      w.write("main.pmx.hcl", plain);
      const applied = await w.run("apply", "-auto-approve");
      expect(applied.code, applied.stderr).toBe(0);
      const stateBefore = readFileSync(w.path("pmxform.state.json"), "utf8");
      w.write("main.pmx.hcl", plain + BUSY);

      const child = spawn(process.execPath, [BIN, "plan"], { cwd: w.dir, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      children.push(child);
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
      // Wait until it is deep in the loop: 3 s of CPU (the refresh and loading take well under 1 s).
      const started = Date.now();
      while (cpuSeconds(child.pid!) < 3) {
        expect(Date.now() - started, "the plan never got busy").toBeLessThan(60_000);
        await new Promise((r) => setTimeout(r, 100));
      }
      // plan's lock is shared: it registered as a reader and took no exclusive lock directory.
      expect(readerFiles(w), "the plan holds the shared state lock while busy").toHaveLength(1);
      expect(existsSync(w.path("pmxform.state.json.lock")), "a plan takes no exclusive lock").toBe(false);
      const sent = Date.now();
      child.kill(sig);
      const end = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 15_000))]);
      if (end === "hung") child.kill("SIGKILL");
      expect(end, "still running 15 s after the signal").not.toBe("hung");
      expect(Date.now() - sent).toBeLessThan(5_000);
      expect((end as { signal: string | null }).signal).toBe(sig);
      expect(stderr).not.toMatch(/internal error|^\s+at /m);

      // State untouched; the registration left behind blocks no reader and is stale-detectable:
      // an apply (exclusive, waits for readers) takes over within STALE_LOCK_MS of its last refresh.
      expect(readFileSync(w.path("pmxform.state.json"), "utf8")).toBe(stateBefore);
      expect(readerFiles(w), "the killed plan's registration is left behind").toHaveLength(1);
      w.write("main.pmx.hcl", plain);
      const applyStarted = Date.now();
      const apply = await w.run("apply", "-auto-approve", "--lock-timeout", "30s");
      expect(apply.stderr).toBe("");
      expect(apply.code).toBe(0);
      expect(Date.now() - applyStarted, "apply waits for the stale reader no longer than STALE_LOCK_MS (plus its own run)").toBeLessThan(STALE_LOCK_MS + 10_000);
      expect(readerFiles(w), "the stale registration was removed").toEqual([]);
      const next = await w.run("plan", "--lock-timeout", "30s", "-detailed-exitcode");
      expect(next.stderr).toBe("");
      expect(next.stdout).toContain("No changes.");
      expect(next.code).toBe(0);
      expect(existsSync(w.path("pmxform.state.json.lock"))).toBe(false);
      expect(existsSync(w.path("pmxform.state.json.lock.info"))).toBe(false);
    },
    180_000,
  );
});
