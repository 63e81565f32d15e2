// Fault injection for reliability tests: DIR/faults.json lists invocations to fail or hang;
// match counters live in DIR/faults.state.json, updated under a lock so parallel calls count right.
import { existsSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { paths } from "./ctx.js";
import { withInternalLock } from "./lock.js";

export interface Fault {
  /** a Proxmox tool, or one of the coreutils a state backend runs on /etc/pve (src/sim/cfs-tools.ts) */
  tool?: "pct" | "pvesh" | "pvesm" | "pveam" | "dd" | "mv" | "rm" | "mkdir" | "rmdir" | "touch" | "stat" | "flock";
  /** argv prefix that must match (e.g. ["create"] or ["set", "100"]) */
  args?: string[];
  /** regular expression tested against the argv joined with single spaces */
  argsRegex?: string;
  /** fail the Nth matching invocation (default 1) */
  nth?: number;
  /** how many matching invocations from the Nth on are affected (default 1) */
  times?: number;
  node?: string;
  stderr?: string;
  /** exit code; when absent the invocation only hangs (hangMs) and then runs normally */
  exit?: number;
  hangMs?: number;
  /**
   * Pauses the invocation before it runs (before any lock): it creates GATE.reached and waits until
   * GATE.open exists, so a test can act "between steps" of a run without guessing at timing.
   */
  gate?: string;
}

/** How long a gated invocation waits before it gives up (a test that never opens its gate). */
const GATE_TIMEOUT_MS = 300_000;

/** Holds the invocation at `gate` (see Fault.gate); false when the gate never opened. */
export function waitAtGate(gate: string, sleep: (ms: number) => void): boolean {
  writeFileSync(`${gate}.reached`, `${process.pid}\n`);
  const deadline = Date.now() + GATE_TIMEOUT_MS;
  while (!existsSync(`${gate}.open`)) {
    if (Date.now() >= deadline) return false;
    sleep(20);
  }
  return true;
}

interface FaultState {
  counts: number[];
}

export function setFaults(dir: string, faults: Fault[]): void {
  writeFileSync(paths.faults(dir), JSON.stringify(faults, null, 2) + "\n");
  rmSync(paths.faultsState(dir), { force: true });
}

function matches(f: Fault, node: string, tool: string, argv: string[]): boolean {
  if (f.tool && f.tool !== tool) return false;
  if (f.node && f.node !== node) return false;
  if (f.args && !f.args.every((a, i) => argv[i] === a)) return false;
  if (f.argsRegex && !new RegExp(f.argsRegex).test(argv.join(" "))) return false;
  return true;
}

/** The fault that applies to this invocation, if any (counting it either way). */
export function takeFault(dir: string, node: string, tool: string, argv: string[]): Fault | undefined {
  const file = paths.faults(dir);
  if (!existsSync(file)) return undefined;
  const faults = JSON.parse(readFileSync(file, "utf8")) as Fault[];
  const candidates = faults.map((f, i) => [f, i] as const).filter(([f]) => matches(f, node, tool, argv));
  if (candidates.length === 0) return undefined;
  return withInternalLock(dir, "faults", () => {
    const sf = paths.faultsState(dir);
    const state: FaultState = existsSync(sf) ? (JSON.parse(readFileSync(sf, "utf8")) as FaultState) : { counts: [] };
    let hit: Fault | undefined;
    for (const [f, i] of candidates) {
      const n = (state.counts[i] ?? 0) + 1;
      state.counts[i] = n;
      const first = f.nth ?? 1;
      if (!hit && n >= first && n < first + (f.times ?? 1)) hit = f;
    }
    writeFileSync(sf, JSON.stringify(state) + "\n");
    return hit;
  });
}
