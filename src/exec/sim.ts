// The simulator target: the same LocalRunner, with pct/pvesh/pvesm/pveam mapped to the
// simulator's executables and PMXSIM_NODE naming the node the call acts as. Everything else
// (skopeo, cat, mv, rm, ...) runs as-is on this machine.

import { join } from "node:path";
import { LocalRunner } from "./local.js";
import type { RunOptions, RunResult } from "./runner.js";
import { isNodeFileCall } from "../sim/node-files.js";

export const SIM_TOOLS: ReadonlySet<string> = new Set(["pct", "pvesh", "pvesm", "pveam", "zfs", "chown", "testparm", "smbcontrol", "exportfs"]);

/** Coreutils that reach a simulated node's own files (/etc/samba, /etc/exports*: src/sim/node-files.ts) when given one. */
const NODE_FILE_TOOLS: ReadonlySet<string> = new Set(["mkdir", "dd", "mv", "rm", "grep"]);

export class SimRunner extends LocalRunner {
  constructor(
    readonly simDir: string,
    readonly node: string,
  ) {
    super(`${node} (simulator)`, (cmd) => (SIM_TOOLS.has(cmd) ? join(simDir, "bin", cmd) : cmd), { PMXSIM_NODE: node });
  }

  override run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    const [cmd, ...args] = argv;
    if (cmd && NODE_FILE_TOOLS.has(cmd) && isNodeFileCall(args)) return super.run([join(this.simDir, "bin", cmd), ...args], opts);
    return super.run(argv, opts);
  }
}
