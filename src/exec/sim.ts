// The simulator target: the same LocalRunner, with pct/pvesh/pvesm/pveam mapped to the
// simulator's executables and PMXSIM_NODE naming the node the call acts as. Everything else
// (skopeo, cat, mv, rm, ...) runs as-is on this machine.

import { join } from "node:path";
import { LocalRunner } from "./local.js";

export const SIM_TOOLS: ReadonlySet<string> = new Set(["pct", "pvesh", "pvesm", "pveam", "zfs", "chown"]);

export class SimRunner extends LocalRunner {
  constructor(
    readonly simDir: string,
    readonly node: string,
  ) {
    super(`${node} (simulator)`, (cmd) => (SIM_TOOLS.has(cmd) ? join(simDir, "bin", cmd) : cmd), { PMXSIM_NODE: node });
  }
}
