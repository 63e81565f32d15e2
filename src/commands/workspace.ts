// `pmxform workspace list | show | new NAME | select NAME | delete NAME`: each workspace has its
// own state and lock in the configured backend (the local file: pmxform.state.d/NAME/, as
// Terraform lays out terraform.tfstate.d/). The selection is kept in .pmxform/environment, or
// given by PMXFORM_WORKSPACE.
import { error, type Diagnostic } from "../diag/diagnostic.js";
import { contextOf } from "../engine/backend-context.js";
import { parseDuration } from "../engine/duration.js";
import { newState } from "../engine/run.js";
import type { CommonOptions } from "../engine/session.js";
import type { BackendContext } from "../state/context.js";
import { stateDiagnostic } from "../state/errors.js";
import { newLockInfo } from "../state/lock.js";
import { StateStore } from "../state/store.js";
import { pmxformVersion } from "../state/version.js";
import { currentWorkspace, selectWorkspace, workspaceNameProblem } from "../state/init-record.js";
import { printDiagnostics } from "./output-format.js";

type Opts = CommonOptions & { force?: boolean; orCreate?: boolean; lockTimeout?: string };
type Run = (opts: Opts, args: string[]) => Promise<number>;

async function withContext(opts: Opts, fn: (ctx: BackendContext) => Promise<number>): Promise<number> {
  const c = await contextOf({ opts });
  if (!c.ctx) return (printDiagnostics(c.diagnostics, opts, c.sources), 1);
  try {
    return await fn(c.ctx);
  } catch (e) {
    return (printDiagnostics([stateDiagnostic("Workspace operation failed", e)], opts), 1);
  } finally {
    await c.ctx.backend.close();
  }
}

const fail = (opts: Opts, d: Diagnostic) => (printDiagnostics([d], opts), 1);

/** Another workspace of the same backend (left open: withContext closes it). */
function storeOf(ctx: BackendContext, workspace: string, opts: { lock: boolean; lockTimeoutMs: number; operation: string }): Promise<StateStore> {
  return StateStore.openBackend(ctx.backend, { ...opts, workspace, ...(ctx.encryption ? { encryption: ctx.encryption } : {}), erroredDir: ctx.dir });
}

async function existing(ctx: BackendContext): Promise<string[]> {
  const names = new Set(await ctx.backend.workspaces());
  names.add("default"); // always there, with or without a state
  return [...names].sort();
}

const list: Run = (opts) =>
  withContext(opts, async (ctx) => {
    for (const name of await existing(ctx)) process.stdout.write(`${name === ctx.workspace ? "*" : " "} ${name}\n`);
    if (!(await existing(ctx)).includes(ctx.workspace)) process.stdout.write(`* ${ctx.workspace} (selected, no state yet)\n`);
    return 0;
  });

const show: Run = async (opts) => {
  const c = await contextOf({ opts });
  if (!c.ctx) return (printDiagnostics(c.diagnostics, opts, c.sources), 1);
  await c.ctx.backend.close();
  process.stdout.write(c.ctx.workspace + "\n");
  return 0;
};

/** A new workspace gets an empty state at once (as Terraform), so it is listed by every backend. */
async function create(ctx: BackendContext, name: string, opts: Opts): Promise<void> {
  const timeout = parseDuration(opts.lockTimeout ?? "0s") ?? 0;
  const store = await storeOf(ctx, name, { lock: true, lockTimeoutMs: timeout, operation: "workspace new" });
  try {
    if ((await store.read()) === null) await store.write(newState());
  } finally {
    await store.release();
  }
}

const neu: Run = (opts, args) =>
  withContext(opts, async (ctx) => {
    const name = args[0]!;
    const bad = workspaceNameProblem(name);
    if (bad) return fail(opts, error("Invalid workspace name", `${bad} Choose another name.`));
    if ((await existing(ctx)).includes(name))
      return fail(opts, error("Workspace already exists", `Workspace "${name}" already exists in ${ctx.backend.description}. Select it with pmxform workspace select ${name}.`));
    await create(ctx, name, opts);
    selectWorkspace(ctx.dir, name);
    process.stdout.write(
      `Created and switched to workspace "${name}"!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run "pmxform plan" pmxform will not see any existing state\nfor this configuration.\n`,
    );
    return envOverrides(name);
  });

const select: Run = (opts, args) =>
  withContext(opts, async (ctx) => {
    const name = args[0]!;
    const bad = workspaceNameProblem(name);
    if (bad) return fail(opts, error("Invalid workspace name", `${bad} Choose another name.`));
    if (!(await existing(ctx)).includes(name)) {
      if (!opts.orCreate)
        return fail(opts, error("Workspace doesn't exist", `Workspace "${name}" does not exist in ${ctx.backend.description}. Create it with pmxform workspace new ${name}, or add --or-create.`));
      await create(ctx, name, opts);
    }
    selectWorkspace(ctx.dir, name);
    process.stdout.write(`Switched to workspace "${name}".\n`);
    return envOverrides(name);
  });

/** PMXFORM_WORKSPACE wins over the selection file: say so rather than seem to switch. */
function envOverrides(name: string): number {
  const fromEnv = process.env["PMXFORM_WORKSPACE"];
  if (fromEnv && fromEnv !== name) process.stderr.write(`Warning: PMXFORM_WORKSPACE=${fromEnv} is set and selects that workspace for every command until it is unset.\n`);
  return 0;
}

const del: Run = (opts, args) =>
  withContext(opts, async (ctx) => {
    const name = args[0]!;
    if (name === "default") return fail(opts, error("Cannot delete the default workspace", "The default workspace always exists. Remove its resources with pmxform destroy if that is what you want."));
    if (name === currentWorkspace(ctx.dir).name) return fail(opts, error("Workspace is selected", `Workspace "${name}" is the selected one. Select another first: pmxform workspace select default.`));
    if (!(await existing(ctx)).includes(name)) return fail(opts, error("Workspace doesn't exist", `Workspace "${name}" does not exist in ${ctx.backend.description}. See pmxform workspace list.`));
    const timeout = parseDuration(opts.lockTimeout ?? "0s") ?? 0;
    // Locked exclusively while it is checked and deleted: no run is using it meanwhile.
    const lock = await ctx.backend.lock(name, "exclusive", newLockInfo(`${ctx.backend.description}, workspace ${name}`, "workspace delete", pmxformVersion()), timeout);
    try {
      const store = await storeOf(ctx, name, { lock: false, lockTimeoutMs: 0, operation: "workspace delete" });
      const state = await store.read();
      await store.release();
      const managed = state?.resources.length ?? 0;
      if (managed && !opts.force) {
        return fail(
          opts,
          error(
            "Workspace is not empty",
            `Workspace "${name}" manages ${managed} resource(s); deleting it would make pmxform forget them (the containers would stay). Destroy them first (pmxform workspace select ${name}; pmxform destroy), or add --force.`,
          ),
        );
      }
      await ctx.backend.deleteWorkspace(name);
    } finally {
      await lock.release();
    }
    process.stdout.write(`Deleted workspace "${name}"!\n`);
    return 0;
  });

export const commands: Record<"list" | "show" | "new" | "select" | "delete", Run> = { list, show, new: neu, select, delete: del };
