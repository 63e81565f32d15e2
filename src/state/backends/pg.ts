// The PostgreSQL state backend. Does what OpenTofu's pg backend does not (iac-anchors.md):
// - the lock is a session-level advisory lock held on ONE dedicated connection for the whole run
//   (a pool may hand the unlock to another session), so it ends with the holder's session: a
//   killed run frees it at once;
// - the holder records who it is in a table, tied to its session (pid + backend_start), so a
//   blocked run names the holder and a vanished holder's row is ignored;
// - plan takes the shared form, apply the exclusive one: readers do not block readers;
// - every write is a compare-and-swap on (lineage, serial), so a lost update is impossible even
//   when the lock was bypassed;
// - force-unlock ends the holder's session (pg_terminate_backend), which really frees the lock.
// Schema and tables are created on first use (docs/backends.md).
import { randomUUID } from "node:crypto";
import type { Client as PgClient, ClientConfig } from "pg";
import { StateError, StateLockedError } from "../errors.js";
import type { LockInfo } from "../lock-info.js";
import { StateConflictError, type AuditLogStorage, type BackendLock, type LockMode, type StateBackend, type StateVersion } from "./types.js";

export interface PgSettings {
  /** A libpq connection string or URL; when absent the PG* environment variables apply (as psql). */
  connString?: string;
  /** Schema holding pmxform's tables (default "pmxform"). */
  schema?: string;
  /** Seconds to wait for a connection (default 10). */
  connectTimeoutS?: number;
}

const POLL_MS = 250;
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** host:port/database of a connection string, for messages: never the user's password. */
export function describeConn(connString: string | undefined): string {
  if (!connString) return `${process.env["PGHOST"] ?? "localhost"}:${process.env["PGPORT"] ?? "5432"}/${process.env["PGDATABASE"] ?? process.env["PGUSER"] ?? "postgres"}`;
  try {
    const u = new URL(connString);
    return `${u.hostname || "localhost"}:${u.port || "5432"}${u.pathname || "/"}`;
  } catch {
    const kv = Object.fromEntries([...connString.matchAll(/(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^'|'$/g, "")]));
    return `${kv["host"] ?? "localhost"}:${kv["port"] ?? "5432"}/${kv["dbname"] ?? "postgres"}`;
  }
}

export class PgBackend implements StateBackend {
  readonly description: string;
  private readonly schema: string;
  private readonly q: (table: string) => string;
  /** The connection for reads and writes (locks get their own). */
  private main: Promise<PgClient> | undefined;
  private ready: Promise<void> | undefined;

  constructor(private readonly settings: PgSettings) {
    this.schema = settings.schema ?? "pmxform";
    if (!IDENT.test(this.schema))
      throw new StateError(`The pg backend's schema_name "${this.schema}" is not a plain PostgreSQL name. Use lower-case letters, digits and _ (at most 63), starting with a letter or _.`, "pg");
    this.description = `pg (${describeConn(settings.connString)}, schema ${this.schema})`;
    this.q = (table) => `"${this.schema}"."${table}"`;
  }

  private async connect(purpose: string): Promise<PgClient> {
    const { default: pg } = await import("pg");
    const config: ClientConfig = { connectionTimeoutMillis: (this.settings.connectTimeoutS ?? 10) * 1000, application_name: `pmxform ${purpose}` };
    if (this.settings.connString) config.connectionString = this.settings.connString;
    const client = new pg.Client(config);
    // A connection that dies later reports through 'error'; unhandled, it would end the process.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new StateError(
        `Cannot reach the state backend ${this.description}: ${(err as Error).message}. Check that PostgreSQL is running and the connection settings (conn_str or the PG* variables) are right.`,
        "pg",
      );
    }
    return client;
  }

  private async client(): Promise<PgClient> {
    this.main ??= this.connect("state");
    const c = await this.main;
    this.ready ??= this.createSchema(c);
    await this.ready;
    return c;
  }

  /** Creates the schema on first use; a transaction-level advisory lock serialises two first runs. */
  private async createSchema(c: PgClient): Promise<void> {
    await c.query("BEGIN");
    try {
      await c.query("SELECT pg_advisory_xact_lock(hashtext('pmxform schema'), hashtext($1))", [this.schema]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${this.q("states")} (
        workspace text PRIMARY KEY,
        lineage text NOT NULL,
        serial bigint NOT NULL,
        data bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL)`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${this.q("locks")} (
        id text PRIMARY KEY,
        workspace text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('shared', 'exclusive')),
        info jsonb NOT NULL,
        pid integer NOT NULL,
        backend_start timestamptz NOT NULL)`);
      // The audit log (src/audit): the primary key refuses a second record at the same position,
      // so two appenders can never fork the chain even if the lock was bypassed.
      await c.query(`CREATE TABLE IF NOT EXISTS ${this.q("audit")} (
        workspace text NOT NULL,
        seq bigint NOT NULL,
        record text NOT NULL,
        PRIMARY KEY (workspace, seq))`);
      await c.query("COMMIT");
    } catch (err) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw this.failure("creating its tables", err);
    }
  }

  private failure(doing: string, err: unknown): StateError {
    if (err instanceof StateError) return err;
    return new StateError(`The state backend ${this.description} failed while ${doing}: ${(err as Error).message}. Check the database and run again; nothing was changed by this step.`, "pg");
  }

  async read(workspace: string): Promise<Buffer | null> {
    const c = await this.client();
    try {
      const r = await c.query<{ data: Buffer }>(`SELECT data FROM ${this.q("states")} WHERE workspace = $1`, [workspace]);
      return r.rows[0]?.data ?? null;
    } catch (err) {
      throw this.failure("reading the state", err);
    }
  }

  async write(workspace: string, bytes: Buffer, expected: StateVersion | null, next: StateVersion): Promise<void> {
    const c = await this.client();
    let changed: number;
    try {
      const by = `${process.env["USER"] ?? "unknown"}@${(await import("node:os")).hostname()}`;
      const r = expected
        ? await c.query(`UPDATE ${this.q("states")} SET lineage = $2, serial = $3, data = $4, updated_at = now(), updated_by = $5 WHERE workspace = $1 AND lineage = $6 AND serial = $7`, [
            workspace,
            next.lineage,
            next.serial,
            bytes,
            by,
            expected.lineage,
            expected.serial,
          ])
        : await c.query(`INSERT INTO ${this.q("states")} (workspace, lineage, serial, data, updated_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace) DO NOTHING`, [
            workspace,
            next.lineage,
            next.serial,
            bytes,
            by,
          ]);
      changed = r.rowCount ?? 0;
    } catch (err) {
      throw this.failure("saving the state", err);
    }
    if (changed === 1) return;
    const found = await c
      .query<{ lineage: string; serial: string }>(`SELECT lineage, serial FROM ${this.q("states")} WHERE workspace = $1`, [workspace])
      .catch(() => ({ rows: [] as { lineage: string; serial: string }[] }));
    const row = found.rows[0];
    throw new StateConflictError(`${this.description}, workspace ${workspace}`, expected, row ? { lineage: row.lineage, serial: Number(row.serial) } : null);
  }

  auditLog(workspace: string): AuditLogStorage {
    const table = this.q("audit");
    const lines = async (): Promise<string[]> => {
      const c = await this.client();
      try {
        const r = await c.query<{ record: string }>(`SELECT record FROM ${table} WHERE workspace = $1 ORDER BY seq`, [workspace]);
        return r.rows.map((row) => row.record);
      } catch (err) {
        throw this.failure("reading the audit log", err);
      }
    };
    return {
      description: `table ${this.schema}.audit of ${this.description}, workspace ${workspace}`,
      lines,
      append: async (next) => {
        const before = await lines();
        const line = next(before);
        const c = await this.client();
        try {
          await c.query(`INSERT INTO ${table} (workspace, seq, record) VALUES ($1, $2, $3)`, [workspace, before.length + 1, line]);
        } catch (err) {
          throw this.failure("appending to the audit log", err);
        }
      },
    };
  }

  async lock(workspace: string, mode: LockMode, info: LockInfo, timeoutMs: number): Promise<BackendLock> {
    await this.client(); // the tables exist before anyone records a hold
    const session = await this.connect(`${info.operation} lock`);
    const fn = mode === "shared" ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock";
    const deadline = Date.now() + Math.max(0, timeoutMs);
    let abandoned: LockInfo[];
    try {
      for (;;) {
        const got = await session.query<{ ok: boolean }>(`SELECT ${fn}(hashtext($1), hashtext($2)) AS ok`, [this.schema, workspace]);
        if (got.rows[0]?.ok) break;
        const left = deadline - Date.now();
        if (left <= 0) throw new StateLockedError(`${this.description}, workspace ${workspace}`, await this.holder(session, workspace, mode));
        await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
      }
      // Rows of sessions that have ended are leftovers (a killed holder): cleared by the next
      // holder, which tells the user who it was.
      const dead = await session.query<{ info: LockInfo }>(
        `DELETE FROM ${this.q("locks")} l WHERE workspace = $1 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.pid AND a.backend_start = l.backend_start) RETURNING info`,
        [workspace],
      );
      abandoned = dead.rows.map((r) => r.info);
      await session.query(
        `INSERT INTO ${this.q("locks")} (id, workspace, mode, info, pid, backend_start) SELECT $1, $2, $3, $4, pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
        [info.id, workspace, mode, JSON.stringify(info)],
      );
    } catch (err) {
      await session.end().catch(() => undefined);
      if (err instanceof StateLockedError) throw err;
      throw this.failure("taking the state lock", err);
    }
    let lostError: Error | undefined;
    session.on("error", (err) => (lostError ??= new Error(`the connection holding the state lock in ${this.description} was lost (${err.message}); another run may have taken the lock`)));
    session.on("end", () => (lostError ??= new Error(`the connection holding the state lock in ${this.description} ended; another run may have taken the lock`)));
    let released = false;
    return {
      info,
      mode,
      abandoned,
      lost: () => (released ? undefined : lostError),
      release: async () => {
        if (released) return;
        released = true;
        // The row only names the holder; once its session ends it is ignored and cleared, so a
        // failed delete (connection already lost) changes nothing. Ending the session releases
        // the advisory lock.
        if (!lostError) await session.query(`DELETE FROM ${this.q("locks")} WHERE id = $1`, [info.id]).catch(() => undefined);
        await session.end().catch(() => undefined);
      },
    };
  }

  /** The live holder that keeps a lock of `wanted` mode from us: an exclusive one first. */
  private async holder(session: PgClient, workspace: string, wanted: LockMode): Promise<LockInfo | null> {
    const r = await session.query<{ info: LockInfo; mode: LockMode }>(
      `SELECT info, mode FROM ${this.q("locks")} l WHERE workspace = $1 AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.pid AND a.backend_start = l.backend_start) ORDER BY (mode = 'exclusive') DESC, (info->>'created') ASC`,
      [workspace],
    );
    const rows = wanted === "shared" ? r.rows.filter((x) => x.mode === "exclusive") : r.rows;
    return rows[0]?.info ?? null;
  }

  async forceUnlock(workspace: string, id: string): Promise<void> {
    const c = await this.client();
    const r = await c.query<{ pid: number; alive: boolean }>(
      `SELECT l.pid, EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.pid AND a.backend_start = l.backend_start) AS alive FROM ${this.q("locks")} l WHERE workspace = $1 AND id = $2`,
      [workspace, id],
    );
    const row = r.rows[0];
    if (!row) throw new StateError(`No lock with ID ${id} is held on workspace ${workspace} in ${this.description}. Run the command that failed again: its message names the current lock's ID.`, "pg");
    if (row.alive) {
      try {
        await c.query("SELECT pg_terminate_backend($1)", [row.pid]);
      } catch (err) {
        throw this.failure(`ending the session (pid ${row.pid}) that holds the lock; the database role needs to be the holder's role or have pg_signal_backend`, err);
      }
    }
    await c.query(`DELETE FROM ${this.q("locks")} WHERE id = $1`, [id]);
  }

  async workspaces(): Promise<string[]> {
    const c = await this.client();
    const r = await c.query<{ workspace: string }>(`SELECT workspace FROM ${this.q("states")} ORDER BY workspace`);
    return r.rows.map((x) => x.workspace);
  }

  async deleteWorkspace(workspace: string): Promise<void> {
    const c = await this.client();
    await c.query(`DELETE FROM ${this.q("states")} WHERE workspace = $1`, [workspace]);
  }

  async close(): Promise<void> {
    const main = this.main;
    this.main = undefined;
    this.ready = undefined;
    if (main) await (await main.catch(() => undefined))?.end().catch(() => undefined);
  }

  /** Uuid for lock IDs, exported so callers create LockInfo the same way for every backend. */
  static newLockId(): string {
    return randomUUID();
  }
}
