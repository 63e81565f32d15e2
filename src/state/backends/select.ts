// The factory: the evaluated backend block -> the StateBackend that holds the states. The pve
// backend reaches the cluster through the same node transport the providers use (local, SSH,
// simulator), given here as runnerFor/pveRootFor.
import { isAbsolute, resolve } from "node:path";
import type { Runner } from "../../exec/runner.js";
import { StateError } from "../errors.js";
import { LocalBackend } from "./local.js";
import { PgBackend } from "./pg.js";
import { createPveBackend } from "./pve.js";
import type { BackendSettings } from "./settings.js";
import type { StateBackend } from "./types.js";

/** How the nodes are reached (engine/targets.ts's Targets has this shape). */
export interface NodeTransport {
  runnerFor: (node: string) => Runner;
  pveRootFor?: (node: string) => string;
}

export interface SelectOptions {
  /** The working directory: relative local paths are read there. */
  baseDir: string;
  /** --state: the default workspace's file for the local backend (refused with any other). */
  statePath?: string;
  /** Needed by the pve backend only; built lazily because reaching the nodes may need the configuration. */
  transport?: () => Promise<NodeTransport>;
}

export async function selectBackend(settings: BackendSettings, opts: SelectOptions): Promise<StateBackend> {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(opts.baseDir, p));
  if (opts.statePath !== undefined && settings.type !== "local") {
    throw new StateError(
      `--state names a local state file, but the configuration keeps the state in the ${settings.type} backend. Remove --state, or use pmxform state pull > FILE to get a copy.`,
      opts.statePath,
    );
  }
  switch (settings.type) {
    case "local":
      return new LocalBackend(abs(opts.statePath ?? settings.path), abs(settings.workspaceDir));
    case "pg":
      return new PgBackend({
        schema: settings.schema,
        ...(settings.connString ? { connString: settings.connString } : {}),
        ...(settings.connectTimeoutS ? { connectTimeoutS: settings.connectTimeoutS } : {}),
      });
    case "pve": {
      if (!opts.transport)
        throw new StateError(
          "The pve backend needs the proxmox block's nodes to reach the cluster, and this command did not load them. This is a bug in pmxform: please report it with the command you ran.",
          "pve",
        );
      return pveBackendFrom(settings, await opts.transport());
    }
  }
}

/**
 * The pve backend (src/state/backends/pve.ts): state in the cluster
 * filesystem under /etc/pve/priv/pmxform/<workspace>/, reached through the configured nodes.
 */
export async function pveBackendFrom(block: Extract<BackendSettings, { type: "pve" }>, transport: NodeTransport): Promise<StateBackend> {
  return createPveBackend({ nodes: block.nodes, runnerFor: transport.runnerFor, ...(transport.pveRootFor ? { pveRootFor: transport.pveRootFor } : {}), ...(block.path ? { dir: block.path } : {}) });
}
