// `pmxform init [-migrate-state | -reconfigure]`: checks that the configured backend can be
// reached (pg: creates its schema on first use) and records it in .pmxform/backend.json. When
// the backend changed since the last init (or a local state exists and a remote backend is now
// configured), it stops unless told what to do: -migrate-state copies every workspace's state
// from the old backend into the new one (the old copy is left as it was), -reconfigure starts
// using the new one as it is.
import { resolve } from "node:path";
import { error, hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { contextOf } from "../engine/backend-context.js";
import { parseDuration } from "../engine/duration.js";
import type { CommonOptions } from "../engine/session.js";
import { openStore, type BackendContext } from "../state/context.js";
import { StateLockedError, stateDiagnostic } from "../state/errors.js";
import { readInitRecord, writeInitRecord } from "../state/init-record.js";
import { LocalBackend } from "../state/backends/local.js";
import { selectBackend } from "../state/backends/select.js";
import { backendIdentity, DEFAULT_STATE_FILE, DEFAULT_WORKSPACE_DIR, type BackendSettings } from "../state/backends/settings.js";
import type { StateBackend } from "../state/backends/types.js";
import { describeConn } from "../state/backends/pg.js";
import { StateStore } from "../state/store.js";
import { printDiagnostics } from "./output-format.js";

type Opts = CommonOptions & { migrateState?: boolean; reconfigure?: boolean; forceCopy?: boolean; lockTimeout?: string; app?: string; dir?: string; node?: string };

const LOCAL_DEFAULT: BackendSettings = { type: "local", path: DEFAULT_STATE_FILE, workspaceDir: DEFAULT_WORKSPACE_DIR };

export async function run(opts: Opts): Promise<number> {
  const fail = (d: Diagnostic[]) => (printDiagnostics(d, opts), 1);
  if (opts.app !== undefined) return initApp({ ...opts, app: opts.app }, fail);
  if (opts.migrateState && opts.reconfigure) return fail([error("Conflicting options", "-migrate-state copies the old backend's states, -reconfigure ignores them. Choose one.")]);
  const timeout = parseDuration(opts.lockTimeout ?? "0s");
  if (timeout === undefined) return fail([error("Invalid --lock-timeout", `"${opts.lockTimeout}" is not a duration. Use a number with a unit, e.g. 30s, 2m.`)]);
  const c = await contextOf({ opts }, { checkInit: false });
  if (!c.ctx || hasErrors(c.diagnostics)) return (printDiagnostics(c.diagnostics, opts, c.sources), 1);
  const ctx = c.ctx;
  let old: StateBackend | undefined;
  try {
    process.stdout.write(`Initializing the backend...\n`);
    try {
      await ctx.backend.workspaces(); // connects (pg: creates the schema on first use)
    } catch (e) {
      return fail([error("Cannot reach the state backend", e instanceof Error ? e.message : String(e))]);
    }
    const rec = readInitRecord(ctx.dir);
    let from: BackendSettings | undefined;
    if (rec && rec.identity !== ctx.identity) {
      if (!opts.migrateState && !opts.reconfigure) {
        return fail([
          error(
            "Backend configuration changed",
            `This directory was initialised with ${rec.identity}; the configuration now says ${ctx.identity}. Run pmxform init -migrate-state to copy the states into the new backend, or pmxform init -reconfigure to use the new backend as it is.`,
          ),
        ]);
      }
      if (opts.migrateState) {
        from = withCredentials(rec.settings ?? (rec.type === "local" ? LOCAL_DEFAULT : undefined));
        if (!from)
          return fail([
            error(
              "Cannot migrate",
              `The record of the previous backend (${rec.identity}) has no settings to reopen it with. Run pmxform init -reconfigure and move the state with pmxform state pull / state push.`,
            ),
          ]);
      }
    } else if (!rec && ctx.settings.type !== "local") {
      // Never initialised: the states so far were in the local file.
      const local = new LocalBackend(resolve(ctx.dir, DEFAULT_STATE_FILE), resolve(ctx.dir, DEFAULT_WORKSPACE_DIR));
      const withState: string[] = [];
      for (const ws of await local.workspaces()) if ((await local.read(ws)) !== null) withState.push(ws);
      if (withState.length && !opts.migrateState && !opts.reconfigure) {
        return fail([
          error(
            "A local state exists",
            `This directory has local state (workspaces: ${withState.join(", ")}) and the configuration now keeps the state in ${ctx.identity}. Run pmxform init -migrate-state to copy it there, or pmxform init -reconfigure to leave it behind.`,
          ),
        ]);
      }
      if (withState.length && opts.migrateState) from = LOCAL_DEFAULT;
    }
    if (from) {
      old = await selectBackend(from, { baseDir: ctx.dir, transport: c.source!.transport });
      process.stdout.write(`Migrating the states from ${backendIdentity(from, ctx.dir)} to ${ctx.identity}...\n`);
      const problems = await migrate(old, ctx, timeout, Boolean(opts.forceCopy));
      if (problems.length) return fail(problems);
    }
    writeInitRecord(ctx.dir, ctx.settings, ctx.identity);
    process.stdout.write(`\nSuccessfully configured the backend "${ctx.settings.type}" (${ctx.backend.description}).\n`);
    await describeExistingState(ctx, opts);
    process.stdout.write(`\npmxform has been successfully initialized!\n`);
    return 0;
  } finally {
    await old?.close();
    await ctx.backend.close();
  }
}

/**
 * The record keeps no password: a recorded pg backend gets it back from PG_CONN_STR when that
 * names the same server and database (else the driver reads PGPASSWORD or ~/.pgpass).
 */
function withCredentials(s: BackendSettings | undefined): BackendSettings | undefined {
  const env = process.env["PG_CONN_STR"];
  if (s?.type !== "pg" || !env || describeConn(env) !== describeConn(s.connString)) return s;
  return { ...s, connString: env };
}

/** Copies every workspace's state, each under both backends' exclusive locks. */
async function migrate(from: StateBackend, ctx: BackendContext, timeoutMs: number, force: boolean): Promise<Diagnostic[]> {
  const enc = ctx.encryption ? { encryption: ctx.encryption } : {};
  for (const ws of await from.workspaces()) {
    let src: StateStore | undefined;
    let dst: StateStore | undefined;
    try {
      src = await StateStore.openBackend(from, { lock: true, lockTimeoutMs: timeoutMs, operation: "init -migrate-state", workspace: ws, ...enc });
      const state = await src.read();
      if (!state) continue;
      dst = await StateStore.openBackend(ctx.backend, { lock: true, lockTimeoutMs: timeoutMs, operation: "init -migrate-state", workspace: ws, ...enc });
      const there = await dst.read();
      // An older copy of the same state (a migration back) is brought forward; another state, or
      // a newer one, is someone's work and is not overwritten without -force-copy.
      const older = there && there.lineage === state.lineage && there.serial <= state.serial;
      if (there && !older) {
        if (!force)
          return [
            error(
              "The new backend already has a state",
              `Workspace "${ws}" already has a state in ${ctx.backend.description} (lineage ${there.lineage}, serial ${there.serial}) that is not an older copy of the one being migrated (lineage ${state.lineage}, serial ${state.serial}). Nothing was overwritten. Check which one is right; add -force-copy to overwrite it with the migrated one.`,
            ),
          ];
        state.serial = Math.max(state.serial, there.serial + 1);
      }
      if (!there || there.serial !== state.serial || there.lineage !== state.lineage || JSON.stringify(there) !== JSON.stringify(state)) {
        if (there && there.lineage === state.lineage && there.serial === state.serial) state.serial += 1;
        await dst.replace(state);
      }
      process.stdout.write(`  workspace ${ws}: ${state.resources.length} resource(s), serial ${state.serial}\n`);
    } catch (e) {
      if (e instanceof StateLockedError) return [error(e.summary, e.detail)];
      return [error("Migration failed", `Workspace "${ws}": ${e instanceof Error ? e.message : String(e)} The old backend's states are unchanged.`)];
    } finally {
      await src?.release();
      await dst?.release();
    }
  }
  return [];
}

/** `init --app`: a starter configuration from the catalog (src/catalog/starter.ts); no backend is touched. */
async function initApp(opts: Opts & { app: string }, fail: (d: Diagnostic[]) => number): Promise<number> {
  const { initApp: write } = await import("../catalog/starter.js");
  const r = await write(opts);
  if (hasErrors(r.diagnostics)) return fail(r.diagnostics);
  process.stdout.write(`Wrote ${r.written.join(", ")}.\nSet the variables in variables.pmx.hcl, check proxmox.pmx.hcl, then run pmxform plan.\n`);
  return 0;
}

/**
 * Says what the selected workspace already holds, so a project pointed at another project's
 * backend notices before its first plan (init itself never changes that state).
 */
async function describeExistingState(ctx: BackendContext, opts: Opts): Promise<void> {
  let store: StateStore | undefined;
  try {
    store = await openStore(ctx, { lock: false, lockTimeoutMs: 0, operation: "init" });
    const state = await store.read();
    if (!state) return;
    const n = state.resources.length;
    process.stdout.write(
      `\nWorkspace ${ctx.workspace} already holds ${n} resource${n === 1 ? "" : "s"} (serial ${state.serial}, lineage ${state.lineage}). If this is another project's state, point this configuration at its own workspace (pmxform workspace new NAME) before planning.\n`,
    );
  } catch (e) {
    printDiagnostics([{ ...stateDiagnostic("Cannot read the selected workspace's state", e), severity: "warning" }], opts);
  } finally {
    await store?.release();
  }
}
