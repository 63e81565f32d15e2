// The smaller verbs through the CLI: sim init, validate --json, graph, plan --json, --json errors
// of apply/destroy, apply --refresh-only, force-unlock.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

describe.skipIf(!BUILT)(`commands${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
  });
  afterEach(() => w.remove());

  it("sim init creates a cluster whose pct works for each node", async () => {
    const r = await w.run("sim", "init", "cluster", "--nodes", "pve1,pve2");
    expect(r.code).toBe(0);
    for (const tool of ["pct", "pvesh", "pvesm", "pveam"]) expect(existsSync(w.path(`cluster/bin/${tool}`))).toBe(true);
    execFileSync(w.path("cluster/bin/pct"), ["create", "100", "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"], { env: { ...process.env, PMXSIM_NODE: "pve2" } });
    expect(existsSync(w.path("cluster/etc/pve/nodes/pve2/lxc/100.conf"))).toBe(true);
  });

  it("sim init in a directory that cannot be created fails at once with the path and the reason", async () => {
    // Node's recursive mkdir never returns for a path under /proc; the cli test has a time limit.
    const r = await w.run("sim", "init", "/proc/pmxform-sim");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: cannot create \/proc\/pmxform-sim \(E[A-Z]+\)\. Choose a directory you can write to/);
    writeFileSync(w.path("file"), "");
    const under = await w.run("sim", "init", "file/sim");
    expect(under.code).toBe(1);
    expect(under.stderr).toContain(`cannot create ${w.path("file/sim")} (ENOTDIR)`);
  });

  it("validate --json lists diagnostics with ranges; graph prints the dependencies as DOT", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("a", `  memroy = 1`) + container("b", `  description = lxc_container.a.hostname`));
    const v = await w.run("validate", "--json");
    expect(v.code).toBe(1);
    const j = JSON.parse(v.stdout) as { valid: boolean; diagnostics: { summary: string; range: { filename: string; start: { line: number } } }[] };
    expect(j.valid).toBe(false);
    expect(j.diagnostics[0]).toMatchObject({ summary: "Unsupported argument", range: { filename: "main.pmx.hcl", start: { line: 13 } } });
    w.write("main.pmx.hcl", SIM_NODE + container("a", "") + container("b", `  description = lxc_container.a.hostname`));
    expect((await w.run("validate")).stdout).toContain("Success! The configuration is valid.");
    const g = await w.run("graph");
    expect(g.stdout).toMatch(/^digraph \{/);
    expect(g.stdout).toContain('"lxc_container.b" -> "lxc_container.a"');
  });

  it("plan --json has Terraform-shaped resource_changes", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("a", `  vmid = 120`));
    const p = await w.run("plan", "--json");
    const j = JSON.parse(p.stdout) as { resource_changes: { address: string; change: { actions: string[]; after: { vmid: number } } }[] };
    expect(j.resource_changes).toHaveLength(1);
    expect(j.resource_changes[0]).toMatchObject({ address: "lxc_container.a", change: { actions: ["create"], after: { vmid: 120 } } });
  });

  it("apply and destroy --json report configuration errors like plan --json does", async () => {
    const cases: [string, string[][], string, number][] = [
      [
        container("a", `  memroy = 1`),
        [
          ["plan", "--json"],
          ["apply", "--auto-approve", "--json"],
          ["destroy", "--auto-approve", "--json"],
        ],
        "Unsupported argument",
        13,
      ],
      [`resource "lxc_container" "a" {\n`, [["destroy", "--auto-approve", "--json"]], "Unclosed configuration block", 6],
    ];
    for (const [body, commands, summary, line] of cases) {
      w.write("main.pmx.hcl", SIM_NODE + body);
      for (const argv of commands) {
        const r = await w.run(...argv);
        expect(r.code, argv.join(" ")).toBe(1);
        const j = JSON.parse(r.stdout) as { errored: boolean; diagnostics: { severity: string; summary: string; range: { start: { line: number } } }[] };
        expect(j.errored).toBe(true);
        expect(j.diagnostics[0]).toMatchObject({ severity: "error", summary, range: { start: { line } } });
      }
    }
    expect(existsSync(w.path("pmxform.state.json"))).toBe(false);
  });

  it("apply --refresh-only accepts changes made outside pmxform into the state", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("a", `  vmid = 121\n  memory = 512`));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    execFileSync(w.path("sim/bin/pct"), ["set", "121", "--cores", "3"]);
    const r = await w.run("apply", "--refresh-only", "--auto-approve");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Objects have changed outside pmxform");
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { attributes: { cores?: number } }[] };
    expect(state.resources[0]!.attributes.cores).toBe(3);
    // cores is not in the configuration, so it is not managed: nothing left to do.
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("force-unlock removes a lock left behind, and only with its ID", async () => {
    w.write("main.pmx.hcl", SIM_NODE);
    // A lock left by a run that died: the lock directory and its info file.
    mkdirSync(w.path("pmxform.state.json.lock"));
    writeFileSync(w.path("pmxform.state.json.lock.info"), JSON.stringify({ id: "1111-dead", pid: 999999, who: "root@old", operation: "apply", created: new Date().toISOString(), version: "0.1.0" }));
    const blocked = await w.run("plan");
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("Error acquiring the state lock");
    const wrong = await w.run("force-unlock", "2222-other");
    expect(wrong.code).toBe(1);
    const ok = await w.run("force-unlock", "1111-dead");
    expect(ok.stdout).toContain("successfully unlocked");
    expect((await w.run("plan")).code).toBe(0);
  });
});
