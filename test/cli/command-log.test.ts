// PMXFORM_LOG=debug with PMXFORM_LOG_PATH (issue 16 item 8): every command run on a node is
// recorded (node, argv, duration, exit status, stderr), secrets redacted; checked against the
// simulator's own call log, including a command that failed.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCalls } from "../../src/sim/index.js";
import { setFaults } from "../../src/sim/faults.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli, container } from "../e2e/helpers.js";

const PW = "Log-secret-5a9e";

describe.skipIf(!BUILT)(`command log${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir();
    w.write("main.pmx.hcl", SIM_NODE + `variable "pw" {\n  type      = string\n  sensitive = true\n}\n` + container("app", `  vmid     = 195\n  hostname = "app"\n  password = var.pw`));
  });
  afterAll(() => w.remove());

  it("records every command of an apply, a failing one with its stderr, and no secret", async () => {
    expect((await w.run("plan", "-var", `pw=${PW}`)).code).toBe(0); // creates the simulator
    setFaults(w.path("sim"), [{ tool: "pct", args: ["start"], times: 1, exit: 255, stderr: `startup for container '195' failed (${PW})` }]);
    const before = readCalls(w.path("sim")).length;
    const r = await cli(w.dir, ["apply", "-auto-approve", "-var", `pw=${PW}`], { PMXFORM_LOG: "debug", PMXFORM_LOG_PATH: w.path("pmxform.log") });
    expect(r.stderr).not.toContain("[DEBUG]");
    const log = readFileSync(w.path("pmxform.log"), "utf8");
    const lines = log.trim().split("\n");
    const calls = readCalls(w.path("sim")).slice(before);
    expect(calls.length).toBeGreaterThan(3);
    for (const c of calls) {
      const hit = lines.find((l) => l.includes(`${c.tool}"`) && c.argv.every((a) => l.includes(JSON.stringify(a).slice(1, -1).replaceAll(PW, "***"))));
      expect(hit, `${c.tool} ${c.argv.join(" ")}`).toBeDefined();
      expect(hit).toMatch(/node=pve1 .*exit=-?\d+ duration_ms=\d+/);
    }
    expect(lines.some((l) => /argv=\["pct","start","195"\] exit=255 .*stderr="startup for container '195' failed \(\*\*\*\)"/.test(l))).toBe(true);
    expect(log).not.toContain(PW);
  });

  it("logs nothing without PMXFORM_LOG, and to stderr without PMXFORM_LOG_PATH", async () => {
    const quiet = await cli(w.dir, ["plan", "-var", `pw=${PW}`], { PMXFORM_LOG_PATH: w.path("quiet.log") });
    expect(existsSync(w.path("quiet.log"))).toBe(false);
    expect(quiet.stderr).not.toContain("[DEBUG]");
    const loud = await cli(w.dir, ["plan", "-var", `pw=${PW}`], { PMXFORM_LOG: "debug" });
    expect(loud.stderr).toMatch(/\[DEBUG\] command: node=pve1 .*argv=\["pvesh","get"/);
  });
});
