// The backend and encryption blocks, from HCL and YAML text to the settings the factory uses:
// static checks at decode (one block, known type and settings, required ones), evaluation with
// variables and the environment (PG_CONN_STR as OpenTofu), the init check, and that secrets
// never reach the identity recorded by init and saved plans.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { resolveVariablesAsync } from "../../src/config/vars.js";
import { ConfigEvaluation } from "../../src/engine/evaluation.js";
import { buildRegistry } from "../../src/registry-wiring.js";
import { backendIdentity, backendSettings, encryptionSettings } from "../../src/state/backends/settings.js";
import { selectBackend } from "../../src/state/backends/select.js";
import { initProblem } from "../../src/state/context.js";
import { writeInitRecord, readInitRecord, withoutPassword } from "../../src/state/init-record.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pmx-backend-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function load(name: string, text: string, vars: string[] = []) {
  writeFileSync(join(dir, name), text);
  const loaded = await loadConfig({ dir });
  const r = await resolveVariablesAsync(loaded.module.variables, { cliVars: vars, varFiles: [], env: {}, baseDir: dir });
  const ev = new ConfigEvaluation(loaded.module, r.values, await buildRegistry(), dir, false);
  return { loaded, evaluate: (e: Parameters<typeof ev.eval>[0]) => ev.eval(e, ev.scope()) };
}

const messages = (d: { summary: string; detail?: string }[]) => d.map((x) => `${x.summary}: ${x.detail ?? ""}`).join("\n");

describe("backend block", () => {
  it("defaults to the local file when absent", async () => {
    const { loaded, evaluate } = await load("a.pmx.hcl", "");
    expect(backendSettings(loaded.module.backend, evaluate).settings).toEqual({ type: "local", path: "pmxform.state.json", workspaceDir: "pmxform.state.d" });
  });

  it("reads pg settings from HCL with variables, and the same block from YAML", async () => {
    const hcl = await load(
      "a.pmx.hcl",
      `variable "pw" {\n  sensitive = true\n}\nbackend "pg" {\n  host = "db.example"\n  port = 5433\n  database = "infra"\n  user = "ops"\n  password = var.pw\n  schema_name = "team_a"\n}\n`,
      ["pw=s3cr:t/pw"],
    );
    expect(hcl.loaded.diagnostics).toEqual([]);
    const s = backendSettings(hcl.loaded.module.backend, hcl.evaluate, {}).settings!;
    expect(s).toEqual({ type: "pg", schema: "team_a", connString: "postgresql://ops:s3cr%3At%2Fpw@db.example:5433/infra" });
    expect(backendIdentity(s, dir)).toBe("pg:db.example:5433/infra/team_a");
    rmSync(join(dir, "a.pmx.hcl"));
    const yaml = await load("a.pmx.yaml", "backend:\n  pg:\n    conn_str: postgres://u:pw@127.0.0.1:6000/x\n    schema_name: s1\n");
    expect(yaml.loaded.diagnostics).toEqual([]);
    const y = backendSettings(yaml.loaded.module.backend, yaml.evaluate, {}).settings!;
    expect(y).toEqual({ type: "pg", schema: "s1", connString: "postgres://u:pw@127.0.0.1:6000/x" });
    expect(backendIdentity(y, dir)).not.toContain("pw");
  });

  it("takes PG_CONN_STR and PG_SCHEMA_NAME from the environment as OpenTofu does", async () => {
    const { loaded, evaluate } = await load("a.pmx.hcl", `backend "pg" {}\n`);
    expect(backendSettings(loaded.module.backend, evaluate, { PG_CONN_STR: "postgres://a:b@h:1/d", PG_SCHEMA_NAME: "envschema" }).settings).toEqual({
      type: "pg",
      schema: "envschema",
      connString: "postgres://a:b@h:1/d",
    });
  });

  it("refuses what cannot be right, at decode, with a source range", async () => {
    const cases: [string, RegExp][] = [
      [`backend "s3" {}\n`, /Unknown backend type[\s\S]*local, pg, pve/],
      [`backend "pg" {\n  conn_str = "x"\n  host = "y"\n}\n`, /Conflicting pg settings/],
      [`backend "pg" {\n  shema_name = "x"\n}\n`, /Did you mean "schema_name"/],
      [`backend "pve" {}\n`, /backend "pve" needs nodes/],
      [`backend "local" {}\nbackend "pg" {}\n`, /Duplicate backend block/],
      [`encryption {\n  passphrase = "a long enough passphrase"\n  key_file = "k"\n}\n`, /exactly one of passphrase, key_file or unencrypted/],
      [`encryption {\n  passphrase = "a long enough passphrase"\n  fallback {\n    passphrase = "x"\n    unencrypted = true\n  }\n}\n`, /fallback block must set exactly one/],
    ];
    for (const [text, re] of cases) {
      const { loaded } = await load("a.pmx.hcl", text);
      expect(messages(loaded.diagnostics), text).toMatch(re);
      expect(loaded.diagnostics[0]!.subject?.file).toBe("a.pmx.hcl");
    }
  });

  it("checks the pve block's values: nodes a list of names, path under /etc/pve/priv", async () => {
    const bad = await load("a.pmx.hcl", `backend "pve" {\n  nodes = "pve1"\n  path = "/tmp/x"\n}\n`);
    expect(messages(backendSettings(bad.loaded.module.backend, bad.evaluate).diagnostics)).toMatch(/Invalid nodes[\s\S]*Invalid path/);
    const ok = await load("a.pmx.hcl", `backend "pve" {\n  nodes = ["pve1", "pve2"]\n}\n`);
    const s = backendSettings(ok.loaded.module.backend, ok.evaluate).settings!;
    expect(s).toEqual({ type: "pve", nodes: ["pve1", "pve2"] });
    expect(backendIdentity(s, dir)).toBe("pve:pve1,pve2:/etc/pve/priv/pmxform");
  });

  it("never shows a password in a message about a bad value", async () => {
    const { loaded, evaluate } = await load("a.pmx.hcl", `backend "pg" {\n  password = 12345678\n}\n`);
    const d = backendSettings(loaded.module.backend, evaluate, {}).diagnostics;
    expect(messages(d)).toMatch(/password must be a non-empty string/);
    expect(messages(d)).not.toContain("12345678");
  });

  it("--state is for the local backend only", async () => {
    await expect(selectBackend({ type: "pg", schema: "x" }, { baseDir: dir, statePath: "s.json" })).rejects.toThrow(/--state names a local state file/);
  });
});

describe("init record", () => {
  it("asks for init when a remote backend was never initialised or the backend changed; keeps no password", () => {
    const pg = { type: "pg" as const, schema: "x", connString: "postgres://u:hunter2hunter2@h:1/d" };
    const id = backendIdentity(pg, dir);
    expect(initProblem(dir, pg, id)).toMatch(/not initialised[\s\S]*pmxform init/);
    expect(initProblem(dir, { type: "local", path: "pmxform.state.json", workspaceDir: "pmxform.state.d" }, "local:x")).toBeUndefined();
    writeInitRecord(dir, pg, id);
    expect(initProblem(dir, pg, id)).toBeUndefined();
    expect(JSON.stringify(readInitRecord(dir))).not.toContain("hunter2");
    expect(initProblem(dir, { ...pg, schema: "y" }, backendIdentity({ ...pg, schema: "y" }, dir))).toMatch(/-migrate-state[\s\S]*-reconfigure/);
    expect(withoutPassword("host=h password='a b' dbname=d")).toBe("host=h dbname=d");
  });
});

describe("encryption block", () => {
  it("turns passphrase, key file and fallback into the encryptor's settings; a missing key file is a diagnostic", async () => {
    writeFileSync(join(dir, "k.key"), Buffer.alloc(32, 7));
    const { loaded, evaluate } = await load("a.pmx.hcl", `encryption {\n  key_file = "k.key"\n  enforced = true\n  fallback {\n    passphrase = "an old passphrase here"\n  }\n}\n`);
    const e = encryptionSettings(loaded.module.encryption, evaluate, dir);
    expect(e.diagnostics).toEqual([]);
    expect(e.config).toMatchObject({ enforced: true, primary: { keyFilePath: join(dir, "k.key") }, fallback: { passphrase: "an old passphrase here" } });
    const missing = await load("a.pmx.hcl", `encryption {\n  key_file = "nope.key"\n}\n`);
    expect(messages(encryptionSettings(missing.loaded.module.encryption, missing.evaluate, dir).diagnostics)).toMatch(/Cannot read the key file[\s\S]*head -c 32 \/dev\/urandom/);
  });
});
