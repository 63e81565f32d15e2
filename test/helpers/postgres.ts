// Real-component harness for the pg state backend: a throwaway PostgreSQL cluster (Debian's
// postgresql package) in a temporary directory, listening on 127.0.0.1 at a free port with a
// password login, run as the `postgres` user because the server refuses to run as root.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { freePort } from "./net.js";

function pgBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, "bin", "initdb"))) return join(root, v, "bin");
  return undefined;
}

const BIN = pgBinDir();
const POSTGRES_USER = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
export const HAVE_POSTGRES = BIN !== undefined && process.getuid?.() === 0 && POSTGRES_USER.status === 0;
export const NO_POSTGRES = "needs root and Debian's postgresql package (apt-get install postgresql; scripts/test.sh does)";

export interface Postgres {
  port: number;
  password: string;
  /** postgres://pmxform:PASSWORD@127.0.0.1:PORT/pmxform */
  url: string;
  stop(): void;
  start(): void;
  remove(): void;
  /** Runs SQL as the superuser over the Unix socket (database pmxform by default); returns psql's unaligned output. */
  sql(text: string, db?: string): string;
}

export async function startPostgres(): Promise<Postgres> {
  if (!BIN) throw new Error(NO_POSTGRES);
  const dir = mkdtempSync(join(tmpdir(), "pmx-pg-"));
  chmodSync(dir, 0o755);
  const uid = Number(POSTGRES_USER.stdout.trim());
  const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
  const data = join(dir, "data");
  const pwfile = join(dir, "pw");
  const password = randomBytes(12).toString("hex");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  chownSync(dir, uid, gid);
  chownSync(pwfile, uid, gid);
  const asPostgres = (cmd: string, args: string[]): string => execFileSync("runuser", ["-u", "postgres", "--", join(BIN, cmd), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=60`;
  const start = (): void => void asPostgres("pg_ctl", ["-D", data, "-w", "-l", join(dir, "log"), "-o", opts, "start"]);
  const stop = (): void => void asPostgres("pg_ctl", ["-D", data, "-w", "-m", "immediate", "stop"]);
  const sql = (text: string, db = "pmxform"): string => asPostgres("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", db, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", text]);
  start();
  sql(`CREATE ROLE pmxform LOGIN PASSWORD '${password}'`, "postgres");
  sql("CREATE DATABASE pmxform OWNER pmxform", "postgres");
  return {
    port,
    password,
    url: `postgres://pmxform:${password}@127.0.0.1:${port}/pmxform`,
    stop,
    start,
    sql,
    remove: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
