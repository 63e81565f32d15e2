// Secrets through pmxform mcp on a real PostgreSQL backend with an encrypted state: the database
// password (PG_CONN_STR), the encryption passphrase and a sensitive variable appear in no tool
// result, progress notification, error text or audit record, on success and on the error paths
// (the database down, a wrong passphrase).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initSim } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, Workdir, cli, container } from "../e2e/helpers.js";
import { HAVE_POSTGRES, NO_POSTGRES, startPostgres, type Postgres } from "../helpers/postgres.js";
import { SECRET, connect, type Session } from "./helpers.js";

const PASSPHRASE = "Correct-Horse-Battery-Staple-42";

const config = (simDir: string) =>
  `proxmox {\n  node "pve1" {\n    sim = "${simDir}"\n  }\n}\n\nbackend "pg" {\n  schema_name = "mcpsecrets"\n}\n\n` +
  `variable "state_passphrase" {\n  type      = string\n  sensitive = true\n}\n\nencryption {\n  passphrase = var.state_passphrase\n}\n\n` +
  `variable "pw" {\n  type      = string\n  sensitive = true\n}\n\n` +
  container("web", `  vmid     = 151\n  hostname = "web"\n  memory   = 512\n  password = var.pw`);

describe.skipIf(!BUILT || !HAVE_POSTGRES)(`pmxform mcp secrets on pg${!BUILT ? ` (skipped: ${NOT_BUILT})` : !HAVE_POSTGRES ? ` (skipped: ${NO_POSTGRES})` : ""}`, () => {
  let pg: Postgres;
  let simDir: string;
  let w: Workdir;
  const sessions: Session[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
    simDir = mkdtempSync(join(tmpdir(), "pmx-mcp-pg-"));
    initSim(simDir, { nodes: ["pve1"] });
    w = new Workdir("pmx-mcp-pg-").write("main.pmx.hcl", config(simDir));
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    pg?.remove();
    w?.remove();
    rmSync(simDir, { recursive: true, force: true });
  });

  it("keeps the database password, the passphrase and the sensitive variable out of every result and record", async () => {
    const env = { PG_CONN_STR: pg.url, PMXFORM_VAR_state_passphrase: PASSPHRASE };
    expect(pg.url).toContain(pg.password);
    const init = await cli(w.dir, ["init"], env);
    expect(init.code, init.stderr).toBe(0);
    const s = await connect(w, ["--allow-apply"], undefined, w.dir, env);
    sessions.push(s);
    const planned = await s.call("plan");
    expect(planned.result.isError, JSON.stringify(planned.json)).toBeFalsy();
    const id = planned.json["plan_id"] as string;
    await s.call("show_plan", { plan_id: id });
    await s.call("explain_change", { plan_id: id, address: "lxc_container.web" });
    expect((await cli(w.dir, ["approve", id, "--auto-approve"], env)).code).toBe(0);
    const applied = await s.call("apply_plan", { plan_id: id });
    expect(applied.result.isError, JSON.stringify(applied.json)).toBeFalsy();
    await s.call("state_list");
    const shown = await s.call("state_show", { address: "lxc_container.web" });
    expect(shown.result.isError, JSON.stringify(shown.json)).toBeFalsy();
    await s.call("drift");

    // The error paths: the database unreachable (password in the URL), then a wrong passphrase.
    const down = await connect(w, ["--allow-apply"], undefined, w.dir, { ...env, PG_CONN_STR: pg.url.replace(/:(\d+)\//, ":1/") });
    sessions.push(down);
    const downPlan = await down.call("plan");
    expect(downPlan.result.isError).toBe(true);
    await down.call("state_list");
    const wrongKey = await connect(w, ["--allow-apply"], undefined, w.dir, { ...env, PMXFORM_VAR_state_passphrase: "Not-The-Right-Passphrase-1" });
    sessions.push(wrongKey);
    expect((await wrongKey.call("state_list")).result.isError).toBe(true);
    expect((await wrongKey.call("plan")).result.isError).toBe(true);

    const everything = [...sessions.flatMap((x) => [...x.texts, ...x.progress])].join("\n");
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of [pg.password, PASSPHRASE, SECRET, "Not-The-Right-Passphrase-1"]) expect(everything).not.toContain(secret);
    const records = pg.sql("SELECT record FROM mcpsecrets.audit ORDER BY seq");
    expect(records).toContain('"origin":"mcp"');
    for (const secret of [pg.password, PASSPHRASE, SECRET]) expect(records).not.toContain(secret);
  });
});
