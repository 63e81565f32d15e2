// Where this working directory's state is: the configured backend (checked against what `init`
// recorded), the selected workspace and the encryption settings, ready to open a StateStore.
// Commands with a loaded configuration pass its module and evaluator; see backend-context.ts in
// src/commands for those without one.
import type { Diagnostic, Range } from "../diag/diagnostic.js";
import { error, hasErrors } from "../diag/diagnostic.js";
import { IndexedRange } from "../diag/indexed-range.js";
import type { Block } from "../config/body.js";
import type { Module } from "../config/module.js";
import { EncryptionError, Encryptor } from "./encryption.js";
import { StateError } from "./errors.js";
import { SELECTION_FILE, currentWorkspace, readInitRecord, workspaceNameProblem } from "./init-record.js";
import { backendIdentity, backendSettings, encryptionSettings, type BackendSettings, type Evaluate } from "./backends/settings.js";
import { selectBackend, type NodeTransport } from "./backends/select.js";
import type { StateBackend } from "./backends/types.js";
import { StateStore, type OpenOptions } from "./store.js";

export interface BackendContext {
  dir: string;
  settings: BackendSettings;
  /** Type and location, no credentials: recorded by init and in saved plans. */
  identity: string;
  workspace: string;
  backend: StateBackend;
  encryption?: Encryptor;
}

export interface ContextInput {
  dir: string;
  module: Pick<Module, "backend" | "encryption">;
  evaluate: Evaluate;
  /** --state as given (local backend only). */
  statePath?: string;
  transport?: () => Promise<NodeTransport>;
  /** false for init, which is what records the backend. */
  checkInit?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** `backend "pve"` / `encryption`: what a diagnostic about the whole block points at (absent: nothing to point at). */
function headerOf(block: Block | undefined): Range | undefined {
  return block ? IndexedRange.span(block.typeRange, block.labelRanges.at(-1) ?? block.typeRange) : undefined;
}

/** The configured backend's settings and identity without connecting to anything. */
export function configuredBackend(input: Pick<ContextInput, "module" | "evaluate" | "dir" | "env">): { settings?: BackendSettings; identity?: string; diagnostics: Diagnostic[] } {
  const b = backendSettings(input.module.backend, input.evaluate, input.env ?? process.env);
  if (!b.settings) return { diagnostics: b.diagnostics };
  return { settings: b.settings, identity: backendIdentity(b.settings, input.dir), diagnostics: b.diagnostics };
}

/** Why this run must stop for `pmxform init`, or undefined. */
export function initProblem(dir: string, settings: BackendSettings, identity: string): string | undefined {
  const rec = readInitRecord(dir);
  if (!rec) {
    // The local file needs no init: a directory that never ran init keeps working as before.
    if (settings.type === "local") return undefined;
    return `The configuration keeps the state in the ${settings.type} backend, but this working directory was not initialised for it. Run pmxform init (add -migrate-state to move an existing local state there).`;
  }
  if (rec.identity === identity) return undefined;
  return `The backend changed since pmxform init was run here (was ${rec.identity}, now ${identity}). Run pmxform init -migrate-state to move the state to the new backend, or pmxform init -reconfigure to use the new backend as it is.`;
}

export function encryptorOf(input: Pick<ContextInput, "module" | "evaluate" | "dir">): { encryption?: Encryptor; diagnostics: Diagnostic[] } {
  const e = encryptionSettings(input.module.encryption, input.evaluate, input.dir);
  if (!e.config) return { diagnostics: e.diagnostics };
  try {
    return { encryption: new Encryptor(e.config), diagnostics: e.diagnostics };
  } catch (err) {
    if (err instanceof EncryptionError) return { diagnostics: [...e.diagnostics, error("Invalid encryption configuration", err.message, headerOf(input.module.encryption))] };
    throw err;
  }
}

export async function openBackendContext(input: ContextInput): Promise<{ ctx?: BackendContext; diagnostics: Diagnostic[] }> {
  const c = configuredBackend(input);
  const diagnostics = [...c.diagnostics];
  if (!c.settings || !c.identity || hasErrors(diagnostics)) return { diagnostics };
  const enc = encryptorOf(input);
  diagnostics.push(...enc.diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };
  if (input.checkInit !== false) {
    const problem = initProblem(input.dir, c.settings, c.identity);
    if (problem) return { diagnostics: [...diagnostics, error("Backend initialization required", problem, headerOf(input.module.backend))] };
  }
  const ws = currentWorkspace(input.dir, input.env);
  const bad = workspaceNameProblem(ws.name);
  if (bad)
    return {
      diagnostics: [
        ...diagnostics,
        error("Invalid workspace", `${bad} It comes from ${ws.from === "env" ? "PMXFORM_WORKSPACE" : SELECTION_FILE}. Select another with pmxform workspace select NAME.`, ws.range),
      ],
    };
  try {
    const backend = await selectBackend(c.settings, {
      baseDir: input.dir,
      ...(input.statePath !== undefined ? { statePath: input.statePath } : {}),
      ...(input.transport ? { transport: input.transport } : {}),
    });
    return { ctx: { dir: input.dir, settings: c.settings, identity: c.identity, workspace: ws.name, backend, ...(enc.encryption ? { encryption: enc.encryption } : {}) }, diagnostics };
  } catch (err) {
    if (err instanceof StateError) return { diagnostics: [...diagnostics, error("Cannot use the state backend", err.message, headerOf(input.module.backend))] };
    throw err;
  }
}

/** Opens the context's workspace as a StateStore; the store closes the backend on release. */
export function openStore(ctx: BackendContext, opts: Omit<OpenOptions, "workspace" | "encryption" | "erroredDir" | "closeBackend">): Promise<StateStore> {
  return StateStore.openBackend(ctx.backend, { ...opts, workspace: ctx.workspace, ...(ctx.encryption ? { encryption: ctx.encryption } : {}), erroredDir: ctx.dir, closeBackend: true });
}
