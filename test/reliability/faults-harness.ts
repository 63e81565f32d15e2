// Fault-injection harness: a baseline working directory (config applied) cloned per trial, the
// recorded calls of one apply, a fault that fails exactly the k-th of them, and the checks that a
// failed run left an honest state (parses, knows every container and image on the simulator).
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { setFaults, type Fault } from "../../src/sim/faults.js";
import { readCalls, type CallRecord } from "../../src/sim/calllog.js";
import { Workdir, cli, type CliResult } from "../e2e/helpers.js";

/** The simulated tools whose calls the faults file can fail. */
export const FAULTABLE = new Set(["pct", "pvesh", "pvesm", "pveam"]);

/** A working directory made from a copy of a prepared one (cheaper than applying again). */
export function cloneWorkdir(from: Workdir, prefix: string): Workdir {
  const w = new Workdir(prefix);
  cpSync(from.dir, w.dir, { recursive: true });
  // The simulator's bin scripts name their directory: point the copies at the clone.
  const bin = join(simDir(w), "bin");
  for (const tool of readdirSync(bin)) {
    const file = join(bin, tool);
    writeFileSync(file, readFileSync(file, "utf8").split(from.dir).join(w.dir));
  }
  return w;
}

export function simDir(w: Workdir): string {
  return w.path("sim");
}

/** The calls this run made, faultable tools only, in the order the simulator logged them. */
export function callsSince(w: Workdir, already: number): CallRecord[] {
  return readCalls(simDir(w))
    .slice(already)
    .filter((c) => FAULTABLE.has(c.tool));
}

export function callCount(w: Workdir): number {
  return readCalls(simDir(w)).length;
}

/**
 * The fault that fails exactly calls[k] once: same tool and first two argv words, counted among
 * the calls with that prefix (their relative order is fixed per container even when resources
 * run in parallel, unlike the global order).
 */
export function faultFor(calls: CallRecord[], k: number, effect: Pick<Fault, "stderr" | "exit">): Fault {
  const target = calls[k]!;
  const args = target.argv.slice(0, 2);
  const same = (c: CallRecord) => c.tool === target.tool && c.node === target.node && args.every((a, i) => c.argv[i] === a);
  const nth = calls.slice(0, k).filter(same).length + 1;
  return { tool: target.tool as Fault["tool"], node: target.node, args, nth, times: 1, ...effect };
}

export function describeCall(c: CallRecord): string {
  return `${c.tool} ${c.argv.slice(0, 3).join(" ")}`;
}

export function injectFaults(w: Workdir, faults: Fault[]): void {
  setFaults(simDir(w), faults);
}

export function run(w: Workdir, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return cli(w.dir, args, env);
}

/** A failed run must say why in words: an Error line, no JavaScript stack, no "internal error". */
export function expectCleanFailure(r: CliResult, context: string): void {
  expect(r.code, `${context}: exit code\n${r.stdout}\n${r.stderr}`).not.toBe(0);
  expect(r.stderr, `${context}: error text`).toMatch(/Error/);
  expect(r.stderr, `${context}: no stack trace`).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);
  expect(r.stderr, `${context}: not a crash`).not.toContain("internal error");
}

interface StateFile {
  version: number;
  resources: { address: string; attributes: Record<string, unknown> }[];
  deposed?: { address: string; attributes: Record<string, unknown> }[];
  intents?: { address: string; operation: string; node: string; vmid?: number; file?: string }[];
}

export function readState(w: Workdir): StateFile {
  const text = readFileSync(w.path("pmxform.state.json"), "utf8");
  const s = JSON.parse(text) as StateFile;
  expect(s.version).toBe(1);
  expect(Array.isArray(s.resources)).toBe(true);
  return s;
}

/** vmids of every container the simulator holds, on any node. */
export function simVmids(w: Workdir): number[] {
  const nodes = join(simDir(w), "etc/pve/nodes");
  const out: number[] = [];
  for (const n of readdirSync(nodes)) {
    const lxc = join(nodes, n, "lxc");
    if (!existsSync(lxc)) continue;
    for (const f of readdirSync(lxc)) if (f.endsWith(".conf")) out.push(Number(f.slice(0, -5)));
  }
  return out.sort((a, b) => a - b);
}

/** OCI archives (finished or half-pulled) in the node's template directory. */
export function simArchives(w: Workdir, node = "pve1"): string[] {
  const dir = join(simDir(w), `nodes/${node}/var/lib/vz/template/cache`);
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.tar(\.tmp)?$/.test(f)) : [];
}

/**
 * The state knows everything the simulator holds that pmxform may have made: each container's
 * vmid is a resource, a deposed object or an intent; each pulled archive is an image's volid or an
 * intent's file. Returns what it does not know (empty when consistent).
 */
export function unknownToState(w: Workdir, baselineVmids: number[] = []): string[] {
  const s = readState(w);
  const objects = [...s.resources, ...(s.deposed ?? [])];
  const knownVmids = new Set<number>([...objects.map((r) => Number(r.attributes["vmid"])), ...(s.intents ?? []).flatMap((i) => (i.vmid === undefined ? [] : [i.vmid]))]);
  const knownFiles = [...objects.map((r) => String(r.attributes["volid"] ?? "")), ...(s.intents ?? []).map((i) => String(i.file ?? ""))].filter(Boolean);
  const lost: string[] = [];
  for (const v of simVmids(w)) if (!knownVmids.has(v) && !baselineVmids.includes(v)) lost.push(`container ${v}`);
  for (const f of simArchives(w)) if (!knownFiles.some((k) => k.endsWith(f) || k.endsWith("/" + f))) lost.push(`archive ${f}`);
  return lost;
}

/** Applies once more with no faults and requires the next plan to be "No changes". */
export async function expectConverges(w: Workdir, context: string): Promise<void> {
  injectFaults(w, []);
  const again = await run(w, ["apply", "--auto-approve"]);
  expect(again.code, `${context}: rerun\n${again.stdout}\n${again.stderr}`).toBe(0);
  const plan = await run(w, ["plan", "--detailed-exitcode"]);
  expect(plan.code, `${context}: plan after rerun\n${plan.stdout}\n${plan.stderr}`).toBe(0);
  expect(plan.stdout).toContain("No changes.");
}

/**
 * Runs fn over items with at most `limit` at once (each trial is a few CLI processes). The first
 * failure stops new trials from starting, so nothing keeps running after the test has failed.
 */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failed && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  });
  const results = await Promise.allSettled(workers);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFile(path: string, text: string): void {
  writeFileSync(path, text);
}

export function remove(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
