// The state commands' errors through the real CLI: each one is a diagnostic whose detail ends
// with what to do, and where a file is involved (the state file, a pushed file, the backend or
// encryption block, the workspace selection file) it names the line and column.
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { currentWorkspace } from "../../src/state/init-record.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, type CliResult } from "../e2e/helpers.js";

/** No stack trace, an Error heading, and a last sentence that tells the user what to run or change. */
function expectUserError(r: CliResult): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/^Error: /m);
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe.skipIf(!BUILT)(`state command diagnostics${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  afterEach(() => w?.remove());

  it("a damaged local state names its line and column, for state list, pull and plan", async () => {
    w = new Workdir("pmx-statediag-").write("main.pmx.hcl", SIM_NODE);
    w.write("pmxform.state.json", '{\n  "version": 1,\n  "serial": ,\n  "resources": []\n}\n');
    chmodSync(w.path("pmxform.state.json"), 0o600);
    for (const cmd of [
      ["state", "list"],
      ["state", "pull"],
    ]) {
      const r = await w.run(...cmd);
      expectUserError(r);
      expect(r.stderr).toContain(`on ${w.path("pmxform.state.json")} line 3:`);
      expect(r.stderr).toContain("is not valid JSON at line 3, column 13");
      expect(r.stderr.trim()).toMatch(/restore \S+pmxform\.state\.json\.backup \(the state before the last run that changed it\) after checking its content\.$/);
    }
    // plan reads it through the engine, whose message still carries the position in words.
    const plan = await w.run("plan");
    expectUserError(plan);
    expect(plan.stderr).toContain("is not valid JSON at line 3, column 13");
  });

  it("a pushed file that is not JSON is shown at the damage, and nothing is pushed", async () => {
    w = new Workdir("pmx-statediag-").write("main.pmx.hcl", SIM_NODE);
    w.write("bad.json", '{\n  "version": 1\n  "serial": 2\n}\n');
    const r = await w.run("state", "push", "bad.json");
    expectUserError(r);
    expect(r.stderr).toContain('on bad.json line 3:\n  3:   "serial": 2\n       ^');
    expect(r.stderr.trim()).toMatch(/Nothing was pushed\. Push a state file as pmxform state pull writes it .*repaired where the message says\.$/);
    const invalid = await w.write("bad.json", '{"version": 1}').run("state", "push", "bad.json");
    expectUserError(invalid);
    expect(invalid.stderr).toContain("is not a valid pmxform state");
    expect(invalid.stderr.trim()).toMatch(/repaired where the message says\.$/);
  });

  it("a backend that was never initialised points at the backend block", async () => {
    w = new Workdir("pmx-statediag-").write("main.pmx.hcl", `${SIM_NODE}\nbackend "pve" {\n  nodes = ["pve1"]\n}\n`);
    for (const cmd of [
      ["state", "list"],
      ["workspace", "list"],
      ["force-unlock", "some-id"],
    ]) {
      const r = await w.run(...cmd);
      expectUserError(r);
      expect(r.stderr).toContain("Backend initialization required");
      // Named after its own top-level block, not the proxmox block above it.
      expect(r.stderr).toContain('on main.pmx.hcl line 7, in backend "pve":');
      expect(r.stderr.trim()).toMatch(/Run pmxform init \(add -migrate-state to move an existing local state there\)\.$/);
    }
  });

  it("an encryption block whose key is too weak points at the block", async () => {
    w = new Workdir("pmx-statediag-").write("main.pmx.hcl", `${SIM_NODE}\nencryption {\n  passphrase = "short"\n}\n`);
    const r = await w.run("state", "list");
    expectUserError(r);
    expect(r.stderr).toContain("Invalid encryption configuration");
    expect(r.stderr).toContain("on main.pmx.hcl line 7, in encryption:");
    expect(r.stderr.trim()).toMatch(/Use a longer passphrase \(a random one from a password manager\)\.$/);
  });

  it("a workspace selection file holding a name no backend can store points at the name", async () => {
    w = new Workdir("pmx-statediag-").write("main.pmx.hcl", SIM_NODE);
    mkdirSync(w.path(".pmxform"));
    w.write(join(".pmxform", "environment"), "../etc\n");
    const r = await w.run("state", "list");
    expectUserError(r);
    expect(r.stderr).toContain("Invalid workspace");
    expect(r.stderr).toContain("on .pmxform/environment line 1:");
    expect(r.stderr.trim()).toMatch(/Select another with pmxform workspace select NAME\.$/);
  });

  it("the selection's range is where the name stands in the file", () => {
    w = new Workdir("pmx-statediag-");
    mkdirSync(w.path(".pmxform"));
    w.write(join(".pmxform", "environment"), "\n  bad/name \n");
    expect(currentWorkspace(w.dir, {})).toMatchObject({ name: "bad/name", from: "file", range: { file: ".pmxform/environment", start: { line: 2, column: 3 }, end: { line: 2, column: 11 } } });
  });

  it("force-unlock of a lock nobody holds says so and what to do", async () => {
    w = new Workdir("pmx-statediag-").write("main.pmx.hcl", SIM_NODE);
    w.write("pmxform.state.json", JSON.stringify({ version: 1, pmxform_version: "0.1.0", lineage: "L", serial: 1, resources: [], outputs: {} }));
    chmodSync(w.path("pmxform.state.json"), 0o600);
    const r = await w.run("force-unlock", "no-such-id");
    expectUserError(r);
    expect(r.stderr).toContain("Failed to unlock the state");
    expect(r.stderr.trim()).toMatch(/nothing to unlock\. Run the command that reported the lock again: the lock it met has been released\.$/);
  });
});
