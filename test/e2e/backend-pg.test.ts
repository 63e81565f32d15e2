// The pg backend end to end through the CLI, on a real PostgreSQL (test/helpers/postgres.ts) and
// simulated nodes shared by two operators (two working directories, one configuration, one
// cluster, one database): concurrent applies, a SIGKILLed holder, the server stopped in the
// middle of an apply, encryption, workspaces and migration between backends.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, BUILT, NOT_BUILT, Workdir, cli, type CliResult } from "./helpers.js";
import { HAVE_POSTGRES, NO_POSTGRES, startPostgres, type Postgres } from "../helpers/postgres.js";

const stateOf = (text: string) => JSON.parse(text) as { lineage: string; serial: number };

const SKIP = !BUILT || !HAVE_POSTGRES;

function config(simDir: string, names: string[], backend: string, extra = ""): string {
  const containers = names
    .map(
      (n) => `resource "lxc_container" "${n}" {
  node     = "pve1"
  hostname = "${n}"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
}
`,
    )
    .join("\n");
  return `proxmox {
  node "pve1" {
    sim = ${JSON.stringify(simDir)}
  }
}
${backend}
${extra}
${containers}`;
}

/** The containers the simulated cluster has (its config files), by vmid. */
function simContainers(simDir: string): number[] {
  const dir = join(simDir, "etc/pve/nodes/pve1/lxc");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".conf"))
    .map((n) => Number(n.slice(0, -5)))
    .sort((a, b) => a - b);
}

function run(w: Workdir, args: string[], env: Record<string, string>): Promise<CliResult> {
  return cli(w.dir, args, env);
}

const vmidsOfState = (pulled: string): number[] => (JSON.parse(pulled) as { resources: { attributes: { vmid: number } }[] }).resources.map((r) => r.attributes.vmid).sort((a, b) => a - b);

describe.skipIf(SKIP)(`pg backend through the CLI${SKIP ? ` (skipped: ${!BUILT ? NOT_BUILT : NO_POSTGRES})` : ""}`, () => {
  let pg: Postgres;
  const dirs: Workdir[] = [];
  const workdir = (): Workdir => {
    const w = new Workdir("pmx-pg-e2e-");
    dirs.push(w);
    return w;
  };
  /** A cluster shared by the operators of one test, with latency so that applies overlap. */
  const cluster = async (latencyMs: number): Promise<string> => {
    const holder = workdir();
    const simDir = holder.path("sim");
    const r = await cli(holder.dir, ["sim", "init", simDir, "--nodes", "pve1", "--latency-ms", String(latencyMs)]);
    expect(r.code, r.stderr).toBe(0);
    return simDir;
  };

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => {
    pg?.remove();
    for (const d of dirs) d.remove();
  });

  // The connection string comes from the environment (as OpenTofu's PG_CONN_STR): never in the configuration.
  const env = (): Record<string, string> => ({ PG_CONN_STR: pg.url });

  it("init checks the backend and creates the schema; the password is printed nowhere", async () => {
    const sim = await cluster(0);
    const w = workdir().write("main.pmx.hcl", config(sim, ["a"], `backend "pg" {\n  schema_name = "initcheck"\n}`));
    const before = await run(w, ["plan"], env());
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/Backend initialization required[\s\S]*pmxform init/);
    const init = await run(w, ["init"], env());
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/Successfully configured the backend "pg"/);
    expect(pg.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'initcheck' ORDER BY 1")).toBe("audit\nlocks\nstates\n");
    const applied = await run(w, ["apply", "-auto-approve"], env());
    expect(applied.code, applied.stderr).toBe(0);
    const record = readFileSync(w.path(".pmxform/backend.json"), "utf8");
    for (const text of [init.stdout, init.stderr, applied.stdout, applied.stderr, record]) expect(text).not.toContain(pg.password);
    // The connection string through a variable not declared sensitive: still kept out of a saved plan.
    w.write("main.pmx.hcl", config(sim, ["a", "b"], `variable "conn" {\n  type = string\n}\nbackend "pg" {\n  conn_str    = var.conn\n  schema_name = "initcheck"\n}`));
    const viaVar = { PMXFORM_VAR_conn: pg.url };
    const saved = await run(w, ["plan", "-out=with-var.plan"], viaVar);
    expect(saved.code, saved.stderr).toBe(0);
    const planText = readFileSync(w.path("with-var.plan"), "utf8");
    expect(planText).not.toContain(pg.password);
    expect((JSON.parse(planText) as { variables: Record<string, unknown> }).variables["conn"]).toEqual({ sensitive: true });
    const appliedSaved = await run(w, ["apply", "with-var.plan"], viaVar);
    expect(appliedSaved.code, appliedSaved.stderr).toBe(0);
    expect(appliedSaved.stdout + appliedSaved.stderr).not.toContain(pg.password);
    // A wrong password: the error names the server, not the password.
    const wrong = await run(w, ["plan"], { PMXFORM_VAR_conn: pg.url.replace(pg.password, "not-the-password-xyz") });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/127\.0\.0\.1/);
    expect(wrong.stderr).not.toContain("not-the-password-xyz");
  });

  it("two operators apply at once: one at a time, no lost update, a valid state, then a no-op plan", async () => {
    const sim = await cluster(40);
    const names = ["a", "b", "c", "d"];
    const text = config(sim, names, `backend "pg" {\n  schema_name = "twoops"\n}`);
    const alice = workdir().write("main.pmx.hcl", text);
    const bob = workdir().write("main.pmx.hcl", text);
    expect((await run(alice, ["init"], env())).code).toBe(0);
    expect((await run(bob, ["init"], env())).code).toBe(0);
    const [ra, rb] = await Promise.all([run(alice, ["apply", "-auto-approve", "-lock-timeout=120s"], env()), run(bob, ["apply", "-auto-approve", "-lock-timeout=120s"], env())]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    // Exactly one of them created the containers; the other planned from the saved state and found nothing to do.
    const created = [ra, rb].map((r) => /Resources: (\d+) added/.exec(r.stdout)?.[1] ?? (/No changes/.test(r.stdout) ? "none" : r.stdout));
    expect(created.sort()).toEqual(["4", "none"]);
    expect(simContainers(sim)).toHaveLength(4);
    const pulled = await run(bob, ["state", "pull"], env());
    expect(pulled.code).toBe(0);
    expect(vmidsOfState(pulled.stdout)).toEqual(simContainers(sim));
    for (const w of [alice, bob]) {
      const plan = await run(w, ["plan", "-detailed-exitcode"], env());
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    }
  }, 240_000);

  it("plans do not wait for each other, and a saved plan is stale once the serial moved", async () => {
    const sim = await cluster(30);
    const text = config(sim, ["a"], `backend "pg" {\n  schema_name = "readers"\n}`);
    const w = workdir().write("main.pmx.hcl", text);
    expect((await run(w, ["init"], env())).code).toBe(0);
    // Two plans at once with no lock timeout: both get their shared lock.
    const [p1, p2] = await Promise.all([run(w, ["plan", "-out=p1.plan"], env()), run(w, ["plan", "-lock-timeout=0s"], env())]);
    expect(p1.code, p1.stderr).toBe(0);
    expect(p2.code, p2.stderr).toBe(0);
    const other = workdir().write("main.pmx.hcl", config(sim, ["a", "z"], `backend "pg" {\n  schema_name = "readers"\n}`));
    expect((await run(other, ["init"], env())).code).toBe(0);
    expect((await run(other, ["apply", "-auto-approve", "-target=lxc_container.z"], env())).code).toBe(0);
    const stale = await run(w, ["apply", "p1.plan"], env());
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/Saved plan is stale/);
  }, 180_000);

  it("a SIGKILLed holder: the blocked run names it, pg frees the lock with its session, the next run says who held it", async () => {
    const sim = await cluster(1000);
    const text = config(sim, ["a", "b", "c"], `backend "pg" {\n  schema_name = "killed"\n}`);
    const w = workdir().write("main.pmx.hcl", text);
    expect((await run(w, ["init"], env())).code).toBe(0);
    // Slow enough (one container at a time, 1 s per simulated call) to still hold the lock when the others look.
    const holder = spawn(process.execPath, [BIN, "apply", "-auto-approve", "-parallelism=1"], { cwd: w.dir, env: { ...process.env, ...env(), NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    holder.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => holder.on("exit", () => r()));
    for (let i = 0; i < 600 && !/Creating\.\.\./.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/Creating\.\.\./);
    const blocked = await run(w, ["apply", "-auto-approve"], env());
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/Error acquiring the state lock/);
    expect(blocked.stderr).toContain(`pid ${holder.pid}`);
    expect(blocked.stderr).toMatch(/Operation: apply/);
    holder.kill("SIGKILL");
    await exited;
    const next = await run(w, ["apply", "-auto-approve", "-lock-timeout=10s"], env());
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/previous holder of the state lock ended without releasing it/);
    expect(next.stderr).toContain(`pid ${holder.pid}`);
    const pulled = await run(w, ["state", "pull"], env());
    expect(vmidsOfState(pulled.stdout)).toEqual(simContainers(sim));
    expect(simContainers(sim)).toHaveLength(3);
  }, 180_000);

  it("PostgreSQL stopped in the middle of an apply: the state goes to errored.pmxform.state.json, is pushed after the restart, no container is lost", async () => {
    const sim = await cluster(300);
    const names = ["a", "b", "c", "d", "e"];
    const w = workdir().write("main.pmx.hcl", config(sim, names, `backend "pg" {\n  schema_name = "stopped"\n}`));
    expect((await run(w, ["init"], env())).code).toBe(0);
    const apply = spawn(process.execPath, [BIN, "apply", "-auto-approve", "-parallelism=1"], { cwd: w.dir, env: { ...process.env, ...env(), NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    apply.stdout.on("data", (d: Buffer) => (out += d.toString()));
    apply.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = new Promise<number>((r) => apply.on("exit", (c) => r(c ?? -1)));
    for (let i = 0; i < 1200 && !/Creation complete/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/Creation complete/);
    pg.stop();
    try {
      expect(await code).toBe(3);
    } finally {
      pg.start();
    }
    expect(err).toMatch(/Failed to save the state/);
    expect(err).toContain("state push errored.pmxform.state.json");
    // The audit table was as unreachable as the state: the run's record is kept beside the errored state.
    expect(err).toContain("The run was not recorded in the audit log");
    expect(JSON.parse(readFileSync(w.path("errored.pmxform.audit.jsonl"), "utf8"))).toMatchObject({ operation: "apply", result: "errored-state", origin: "cli" });
    const errored = readFileSync(w.path("errored.pmxform.state.json"), "utf8");
    expect(vmidsOfState(errored)).toEqual(simContainers(sim));
    expect(simContainers(sim)).toHaveLength(5);
    const push = await run(w, ["state", "push", "errored.pmxform.state.json"], env());
    expect(push.code, push.stderr).toBe(0);
    const pulled = await run(w, ["state", "pull"], env());
    expect(vmidsOfState(pulled.stdout)).toEqual(simContainers(sim));
    const plan = await run(w, ["plan", "-detailed-exitcode"], env());
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 240_000);

  it("encrypts the state in the database, refuses a wrong key without writing, and migrates plain -> encrypted -> plain", async () => {
    const sim = await cluster(0);
    const backend = `backend "pg" {\n  schema_name = "enc"\n}`;
    const vars = `variable "passphrase" {\n  type      = string\n  sensitive = true\n}\n`;
    const w = workdir().write("main.pmx.hcl", config(sim, ["a"], backend));
    expect((await run(w, ["init"], env())).code).toBe(0);
    expect((await run(w, ["apply", "-auto-approve"], env())).code).toBe(0);
    const stored = () => pg.sql("SELECT convert_from(data, 'UTF8') FROM enc.states WHERE workspace = 'default'");
    const serial = () => pg.sql("SELECT serial FROM enc.states WHERE workspace = 'default'").trim();
    expect(stored()).toContain("lxc_container");
    const key = { ...env(), PMXFORM_VAR_passphrase: "correct horse battery staple" };
    // Encryption configured without the fallback: the plain state is refused, nothing written.
    w.write("main.pmx.hcl", config(sim, ["a"], backend, `${vars}encryption {\n  passphrase = var.passphrase\n}`));
    const refused = await run(w, ["apply", "-auto-approve"], key);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not encrypted[\s\S]*fallback/);
    // Migration: the fallback reads the plain state; a no-op apply rewrites it encrypted.
    w.write("main.pmx.hcl", config(sim, ["a"], backend, `${vars}encryption {\n  passphrase = var.passphrase\n  fallback {\n    unencrypted = true\n  }\n}`));
    const migrated = await run(w, ["apply", "-auto-approve"], key);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(stored()).not.toContain("lxc_container");
    expect(stored()).toContain("pmxform_encrypted");
    w.write("main.pmx.hcl", config(sim, ["a", "b"], backend, `${vars}encryption {\n  passphrase = var.passphrase\n  enforced   = true\n}`));
    const before = serial();
    const wrong = await run(w, ["apply", "-auto-approve"], { ...env(), PMXFORM_VAR_passphrase: "a wrong passphrase, long enough" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/encrypted with a key that the configuration does not have/);
    expect(serial()).toBe(before);
    expect(simContainers(sim)).toHaveLength(1);
    // The plan file is encrypted too, and applies with the right key.
    const planned = await run(w, ["plan", "-out=enc.plan"], key);
    expect(planned.code, planned.stderr).toBe(0);
    expect(readFileSync(w.path("enc.plan"), "utf8")).not.toContain("lxc_container");
    const appliedPlan = await run(w, ["apply", "enc.plan"], key);
    expect(appliedPlan.code, appliedPlan.stderr).toBe(0);
    expect(simContainers(sim)).toHaveLength(2);
    const pulled = await run(w, ["state", "pull"], key);
    expect(vmidsOfState(pulled.stdout)).toEqual(simContainers(sim));
    // And back to plain: unencrypted primary with the key as fallback.
    w.write("main.pmx.hcl", config(sim, ["a", "b"], backend, `${vars}encryption {\n  unencrypted = true\n  fallback {\n    passphrase = var.passphrase\n  }\n}`));
    const back = await run(w, ["apply", "-auto-approve"], key);
    expect(back.code, back.stderr).toBe(0);
    expect(stored()).toContain("lxc_container");
    w.write("main.pmx.hcl", config(sim, ["a", "b"], backend));
    const plain = await run(w, ["plan", "-detailed-exitcode"], env());
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
  }, 240_000);

  it("workspaces: each its own state and lock; delete refuses a workspace that still manages resources", async () => {
    const sim = await cluster(0);
    const w = workdir().write("main.pmx.hcl", config(sim, ["a"], `backend "pg" {\n  schema_name = "ws"\n}`));
    expect((await run(w, ["init"], env())).code).toBe(0);
    expect((await run(w, ["apply", "-auto-approve"], env())).code).toBe(0);
    const created = await run(w, ["workspace", "new", "staging"], env());
    expect(created.code, created.stderr).toBe(0);
    expect((await run(w, ["workspace", "show"], env())).stdout.trim()).toBe("staging");
    const plan = await run(w, ["plan"], env());
    expect(plan.stdout).toMatch(/1 to add/);
    expect((await run(w, ["apply", "-auto-approve"], env())).code).toBe(0);
    expect(simContainers(sim)).toHaveLength(2);
    const list = await run(w, ["workspace", "list"], env());
    expect(list.stdout).toBe("  default\n* staging\n");
    // Locks are per workspace: a lock on staging does not block default.
    expect((await run(w, ["state", "list"], env())).stdout).toBe("lxc_container.a\n");
    expect((await run(w, ["workspace", "delete", "staging"], env())).stderr).toMatch(/is the selected one/);
    expect((await run(w, ["workspace", "select", "default"], env())).code).toBe(0);
    const refuse = await run(w, ["workspace", "delete", "staging"], env());
    expect(refuse.code).toBe(1);
    expect(refuse.stderr).toMatch(/manages 1 resource/);
    const ok = await run(w, ["workspace", "delete", "staging", "-force"], env());
    expect(ok.code, ok.stderr).toBe(0);
    expect((await run(w, ["workspace", "list"], env())).stdout).toBe("* default\n");
    expect(pg.sql("SELECT workspace FROM ws.states ORDER BY 1")).toBe("default\n");
  }, 180_000);

  it("init -migrate-state moves the states local -> pg -> local, workspaces included", async () => {
    const sim = await cluster(0);
    const w = workdir().write("main.pmx.hcl", config(sim, ["a"], ""));
    expect((await run(w, ["apply", "-auto-approve"], {})).code).toBe(0);
    expect((await run(w, ["workspace", "new", "dev"], {})).code).toBe(0);
    expect((await run(w, ["apply", "-auto-approve"], {})).code).toBe(0);
    expect((await run(w, ["workspace", "select", "default"], {})).code).toBe(0);
    const localDefault = readFileSync(w.path("pmxform.state.json"), "utf8");
    w.write("main.pmx.hcl", config(sim, ["a"], `backend "pg" {\n  schema_name = "migrate"\n}`));
    const refused = await run(w, ["init"], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/A local state exists[\s\S]*-migrate-state/);
    const toPg = await run(w, ["init", "-migrate-state"], env());
    expect(toPg.code, toPg.stderr).toBe(0);
    expect(pg.sql("SELECT workspace FROM migrate.states ORDER BY 1")).toBe("default\ndev\n");
    expect((await run(w, ["plan", "-detailed-exitcode"], env())).code).toBe(0);
    // A change made in pg, then back to the local files.
    expect((await run(w, ["state", "rm", "lxc_container.a"], env())).code).toBe(0);
    w.write("main.pmx.hcl", config(sim, ["a"], ""));
    const changed = await run(w, ["plan"], {});
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/The backend changed since pmxform init/);
    const back = await run(w, ["init", "-migrate-state"], env());
    expect(back.code, back.stderr).toBe(0);
    expect((await run(w, ["state", "list"], {})).stdout).toBe("");
    expect(stateOf(readFileSync(w.path("pmxform.state.json"), "utf8")).lineage).toBe(stateOf(localDefault).lineage);
    expect((await run(w, ["workspace", "select", "dev"], {})).code).toBe(0);
    expect((await run(w, ["state", "list"], {})).stdout).toBe("lxc_container.a\n");
    // The local state went on from pg's (the serial moved past the local copy's).
    expect(stateOf(readFileSync(w.path("pmxform.state.json"), "utf8")).serial).toBeGreaterThan(stateOf(localDefault).serial);
  }, 240_000);
});
