// The audit log on the shared backends, through the CLI: two operators' concurrent applies on the
// pve backend (records as files in pmxcfs beside the state) and on a real PostgreSQL (the audit
// table) form one chain that either operator verifies; an edit made in the backend is named.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, setFaults } from "../../src/sim/index.js";
import { BUILT, NOT_BUILT, Workdir, cli, container } from "../e2e/helpers.js";
import { HAVE_POSTGRES, NO_POSTGRES, startPostgres, type Postgres } from "../helpers/postgres.js";

const config = (simDir: string, backend: string) =>
  `proxmox {\n  node "pve1" {\n    sim = "${simDir}"\n  }\n}\n\n${backend}\n\n` + container("web", `  vmid     = 150\n  hostname = "web"\n  memory   = 512`);

interface Listed {
  intact: boolean;
  log: string;
  records: { seq: number; user: string; counts: { add: number } }[];
}

/** Both operators apply at once (creates slowed so the second waits on the lock); returns what alice's `audit list --json` says. */
async function twoOperators(simDir: string, alice: Workdir, bob: Workdir, env: Record<string, string>): Promise<Listed> {
  for (const w of [alice, bob]) {
    const init = await cli(w.dir, ["init"], env);
    expect(init.code, init.stderr).toBe(0);
  }
  setFaults(simDir, [{ tool: "pct", args: ["create"], hangMs: 1000 }]);
  const runs = await Promise.all([
    cli(alice.dir, ["apply", "-auto-approve", "-lock-timeout=300s"], { ...env, PMXFORM_USER: "alice" }),
    cli(bob.dir, ["apply", "-auto-approve", "-lock-timeout=300s"], { ...env, PMXFORM_USER: "bob" }),
  ]);
  setFaults(simDir, []);
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  const listed = JSON.parse((await cli(alice.dir, ["audit", "list", "--json"], env)).stdout) as Listed;
  expect(listed.intact).toBe(true);
  expect(listed.records.map((r) => r.seq)).toEqual([1, 2]);
  expect(listed.records.map((r) => r.user).sort()).toEqual(["alice", "bob"]);
  expect(listed.records.map((r) => r.counts.add).sort()).toEqual([0, 1]);
  const verified = await cli(bob.dir, ["audit", "verify"], env);
  expect(verified.code, verified.stderr).toBe(0);
  expect(verified.stdout).toContain("intact: 2 record(s)");
  return listed;
}

describe.skipIf(!BUILT)(`audit log on the pve backend${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let simDir: string;
  const dirs: Workdir[] = [];
  beforeAll(() => {
    simDir = mkdtempSync(join(tmpdir(), "pmx-audit-pve-"));
    initSim(simDir, { nodes: ["pve1"] });
  });
  afterAll(() => {
    for (const d of dirs) d.remove();
    rmSync(simDir, { recursive: true, force: true });
  });

  it("keeps one record file per run beside the state in pmxcfs, chained across operators", async () => {
    const text = config(simDir, `backend "pve" {\n  nodes = ["pve1"]\n}`);
    const [alice, bob] = [new Workdir("pmx-audit-alice-").write("main.pmx.hcl", text), new Workdir("pmx-audit-bob-").write("main.pmx.hcl", text)];
    dirs.push(alice, bob);
    const listed = await twoOperators(simDir, alice, bob, {});
    expect(listed.log).toContain("pve (/etc/pve/priv/pmxform");
    const dir = join(simDir, "etc/pve/priv/pmxform/default/audit");
    expect(readdirSync(dir).sort()).toEqual(["0000000001.json", "0000000002.json"]);

    const first = join(dir, "0000000001.json");
    writeFileSync(first, readFileSync(first, "utf8").replace('"add":', '"add":1'));
    const broken = await bob.run("audit", "verify");
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("broken at record 1 (line 1)");
  });
});

describe.skipIf(!BUILT || !HAVE_POSTGRES)(`audit log on the pg backend${!BUILT ? ` (skipped: ${NOT_BUILT})` : !HAVE_POSTGRES ? ` (skipped: ${NO_POSTGRES})` : ""}`, () => {
  let pg: Postgres;
  let simDir: string;
  const dirs: Workdir[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
    simDir = mkdtempSync(join(tmpdir(), "pmx-audit-pg-"));
    initSim(simDir, { nodes: ["pve1"] });
  });
  afterAll(() => {
    pg?.remove();
    for (const d of dirs) d.remove();
    rmSync(simDir, { recursive: true, force: true });
  });

  it("keeps the chain in the audit table, and names a row edited in the database", async () => {
    const text = config(simDir, `backend "pg" {\n  schema_name = "audited"\n}`);
    const [alice, bob] = [new Workdir("pmx-audit-alice-").write("main.pmx.hcl", text), new Workdir("pmx-audit-bob-").write("main.pmx.hcl", text)];
    dirs.push(alice, bob);
    const env = { PG_CONN_STR: pg.url };
    const listed = await twoOperators(simDir, alice, bob, env);
    expect(listed.log).toContain("table audited.audit of pg (127.0.0.1:");
    expect(listed.log).not.toContain(pg.password);
    expect(pg.sql("SELECT workspace, seq FROM audited.audit ORDER BY seq")).toBe("default|1\ndefault|2\n");

    pg.sql(`UPDATE audited.audit SET record = replace(record, '"user":"', '"user":"x') WHERE seq = 2`);
    const broken = await cli(alice.dir, ["audit", "verify"], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("broken at record 2 (line 2)");
  });
});
