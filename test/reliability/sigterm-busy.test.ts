// Issue 23.10: a plan busy in a long synchronous evaluation ignored SIGTERM (and Ctrl-C): the
// signal-exit listeners proper-lockfile installs replace the default action and can only run once
// the event loop is free. With them removed, a real SIGTERM/SIGINT sent to a real `pmxform plan`
// child mid-loop ends it within seconds; the state is untouched and the lock it leaves is taken
// over once stale by the next run (or was never taken).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
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

describe.skipIf(!BUILT)(`a busy plan stops on a signal${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  afterAll(() => dirs.forEach((w) => w.remove()));

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
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
      // Wait until it is deep in the loop: 3 s of CPU (the refresh and loading take well under 1 s).
      const started = Date.now();
      while (cpuSeconds(child.pid!) < 3) {
        expect(Date.now() - started, "the plan never got busy").toBeLessThan(60_000);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(existsSync(w.path("pmxform.state.json.lock")), "the plan holds the state lock while busy").toBe(true);
      const sent = Date.now();
      child.kill(sig);
      const end = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 15_000))]);
      if (end === "hung") child.kill("SIGKILL");
      expect(end, "still running 15 s after the signal").not.toBe("hung");
      expect(Date.now() - sent).toBeLessThan(5_000);
      expect((end as { signal: string | null }).signal).toBe(sig);
      expect(stderr).not.toMatch(/internal error|^\s+at /m);

      // State untouched; the lock left behind is stale-detectable: the next run takes it over.
      expect(readFileSync(w.path("pmxform.state.json"), "utf8")).toBe(stateBefore);
      w.write("main.pmx.hcl", plain);
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
