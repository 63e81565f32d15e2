// The crash trial loop shared by the CI crash test and `npm run test:soak`: a 20-container
// configuration that changes between trials (creates, updates, stops/starts, replacements,
// destroys), `pmxform apply -auto-approve` SIGKILLed at a seeded random moment, then one more
// apply that must converge, a plan that must say "No changes", a state that must validate and a
// simulator holding no container or volume the state does not know.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { validateStateFile } from "../../src/state/schema.js";
import { BIN, SIM_NODE, Workdir, cli, type CliResult } from "../e2e/helpers.js";
import { prng } from "../helpers/prng.js";

const DEBIAN = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
const ALPINE = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz";
const POOL = Array.from({ length: 26 }, (_, i) => `n${String(i).padStart(2, "0")}`);
const BACKENDS = 17;
const EDGES = 3;

interface Backend {
  memory: number;
  started: boolean;
  alpine: boolean;
}

interface Spec {
  backends: Map<string, Backend>;
  edgeMemory: number;
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function initialSpec(rand: () => number): Spec {
  const backends = new Map<string, Backend>();
  for (const name of POOL.slice(0, BACKENDS)) backends.set(name, { memory: pick(rand, [256, 512, 1024]), started: rand() < 0.8, alpine: rand() < 0.15 });
  return { backends, edgeMemory: 512 };
}

/** A few changes of every kind, so each apply has creates, updates, replacements and destroys. */
function mutate(spec: Spec, rand: () => number): Spec {
  const backends = new Map([...spec.backends].map(([k, v]) => [k, { ...v }]));
  const present = () => [...backends.keys()];
  for (let i = Math.floor(rand() * 3); i > 0; i--) {
    const gone = pick(rand, present());
    backends.delete(gone);
    const free = POOL.filter((n) => !backends.has(n) && n !== gone);
    backends.set(pick(rand, free), { memory: 512, started: rand() < 0.8, alpine: rand() < 0.15 });
  }
  for (let i = 1 + Math.floor(rand() * 3); i > 0; i--) backends.get(pick(rand, present()))!.memory = pick(rand, [256, 512, 768, 1024]);
  if (rand() < 0.5) {
    const b = backends.get(pick(rand, present()))!;
    b.started = !b.started;
  }
  if (rand() < 0.4) {
    const b = backends.get(pick(rand, present()))!;
    b.alpine = !b.alpine;
  }
  return { backends, edgeMemory: rand() < 0.3 ? pick(rand, [256, 512, 1024]) : spec.edgeMemory };
}

export function configText(spec: Spec): string {
  const entries = [...spec.backends]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, b]) => `    ${name} = { memory = ${b.memory}, started = ${b.started}, template = "${b.alpine ? ALPINE : DEBIAN}" }`)
    .join("\n");
  return `${SIM_NODE}
locals {
  backends = {
${entries}
  }
}

resource "lxc_container" "backend" {
  for_each = local.backends
  node     = "pve1"
  hostname = each.key
  template = each.value.template
  memory   = each.value.memory
  started  = each.value.started
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
  # A template change replaces new-first: kills between the create and the old one's destroy
  # leave deposed objects, which the recovery apply must destroy.
  lifecycle {
    create_before_destroy = true
  }
}

resource "lxc_container" "edge" {
  count      = ${EDGES}
  node       = "pve1"
  hostname   = "edge\${count.index}"
  template   = "${DEBIAN}"
  memory     = ${spec.edgeMemory}
  started    = true
  depends_on = [lxc_container.backend]
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
}
`;
}

interface Killed {
  /** What was in flight when the kill came: create, update, destroy, refresh (no operation yet), or finished. */
  phase: string;
  /** The whole process group (pmxform and the pct it ran) or pmxform alone (its pct carried on). */
  group: boolean;
  ms: number;
  exitedFirst: boolean;
}

const VERB = /^(\S+): (Creating|Modifying|Destroying)\.\.\./;
const DONE = /^(\S+): (Creation complete|Modifications complete|Destruction complete)/;
const KIND: Record<string, string> = { Creating: "create", Modifying: "update", Destroying: "destroy" };

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Starts an apply in its own process group and SIGKILLs it `delayMs` after it starts, or, with
 * `onVerb`, `delayMs` after the first operation of that kind starts (if it is still running).
 */
async function killedApply(dir: string, delayMs: number, group: boolean, onVerb?: string): Promise<Killed> {
  const child = spawn(process.execPath, [BIN, "apply", "-auto-approve"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const inFlight = new Map<string, string>();
  let buf = "";
  let sawOperation = false;
  let verbSeen: () => void = () => undefined;
  const verbStarted = new Promise<void>((r) => (verbSeen = r));
  child.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const start = VERB.exec(line);
      if (start) {
        inFlight.set(start[1]!, KIND[start[2]!]!);
        sawOperation = true;
        if (KIND[start[2]!] === onVerb) verbSeen();
      }
      const done = DONE.exec(line);
      if (done) inFlight.delete(done[1]!);
    }
  });
  child.stderr.resume();
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const began = Date.now();
  const trigger = onVerb ? verbStarted : Promise.resolve();
  const exitedFirst = await Promise.race([exited.then(() => true), trigger.then(() => new Promise<boolean>((r) => setTimeout(() => r(false), delayMs)))]);
  const ms = Date.now() - began;
  const phase = exitedFirst ? "finished" : inFlight.size ? [...inFlight.values()].sort().join("+") : sawOperation ? "between operations" : "refresh/plan";
  if (!exitedFirst) {
    try {
      process.kill(group ? -child.pid! : child.pid!, "SIGKILL");
    } catch {
      /* exited in between */
    }
  }
  await exited;
  // pct started by a killed pmxform runs to its end, as it would on a real node.
  await until(() => !groupAlive(child.pid!));
  return { phase: phase.includes("+") ? phase.split("+")[0]! : phase, group, ms, exitedFirst };
}

/**
 * The rerun a user would do: if the killed run's lock is still there, remove it as the error says;
 * if the run left pct's bare `lock: create` placeholder (which pmxform never adopts: nothing in it
 * says whose create wrote it), clear it with the commands the warning names and apply once more.
 */
async function recover(w: Workdir): Promise<{ apply: CliResult; unlocked: boolean; placeholders: number }> {
  let apply = await cli(w.dir, ["apply", "-auto-approve"]);
  let unlocked = false;
  if (apply.code !== 0 && apply.stderr.includes("Error acquiring the state lock")) {
    const id = /pmxform force-unlock (\S+)/.exec(apply.stderr)?.[1];
    const rmPath = /rm -r (\S+\.lock)\b/.exec(apply.stderr)?.[1];
    if (id) await cli(w.dir, ["force-unlock", id]);
    else if (rmPath) rmSync(rmPath, { recursive: true, force: true });
    unlocked = true;
    apply = await cli(w.dir, ["apply", "-auto-approve"]);
  }
  const placeholders = [...apply.stderr.matchAll(/"pct unlock (\d+)" and "pct destroy \1 --purge 1 --destroy-unreferenced-disks 1"/g)].map((m) => m[1]!);
  for (const vmid of placeholders) {
    execFileSync(w.path("sim/bin/pct"), ["unlock", vmid]);
    execFileSync(w.path("sim/bin/pct"), ["destroy", vmid, "--purge", "1", "--destroy-unreferenced-disks", "1"]);
  }
  if (placeholders.length) apply = await cli(w.dir, ["apply", "-auto-approve"]);
  return { apply, unlocked, placeholders: placeholders.length };
}

interface Check {
  problems: string[];
  leaks: string[];
}

/** The state validates, has no open intents, and matches the simulator container for container. */
function check(w: Workdir): Check {
  const problems: string[] = [];
  const leaks: string[] = [];
  let stateVmids = new Set<number>();
  try {
    const checked = validateStateFile(JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")));
    if ("problems" in checked) problems.push(`state invalid: ${checked.problems.join("; ")}`);
    else {
      if (checked.state.intents?.length) problems.push(`state still has intents: ${JSON.stringify(checked.state.intents)}`);
      if (checked.state.deposed?.length) problems.push(`state still has deposed objects: ${JSON.stringify(checked.state.deposed.map((d) => [d.address, d.attributes["vmid"]]))}`);
      if (checked.state.resources.length !== BACKENDS + EDGES) problems.push(`state has ${checked.state.resources.length} resources, expected ${BACKENDS + EDGES}`);
      stateVmids = new Set(checked.state.resources.map((r) => Number(r.attributes["vmid"])));
    }
  } catch (e) {
    problems.push(`state unreadable: ${(e as Error).message}`);
  }
  const lxcDir = w.path("sim/etc/pve/nodes/pve1/lxc");
  const simVmids = new Set(
    readdirSync(lxcDir)
      .map((f) => /^(\d+)\.conf$/.exec(f)?.[1])
      .filter((v): v is string => !!v)
      .map(Number),
  );
  for (const v of simVmids) {
    if (!stateVmids.has(v)) leaks.push(`container ${v} is in the simulator but not in the state`);
    if (/^lock:/m.test(readFileSync(join(lxcDir, `${v}.conf`), "utf8"))) problems.push(`container ${v} is still locked`);
  }
  for (const v of stateVmids) if (!simVmids.has(v)) problems.push(`state records container ${v}, which does not exist`);
  const lvm = w.path("sim/nodes/pve1/lvm");
  for (const vol of existsSync(lvm) ? readdirSync(lvm) : []) {
    const owner = Number(/^vm-(\d+)-/.exec(vol)?.[1]);
    if (!simVmids.has(owner)) leaks.push(`volume ${vol} belongs to no container`);
  }
  return { problems, leaks };
}

export interface CrashStats {
  seed: number;
  trials: number;
  converged: number;
  leaks: number;
  unlocks: number;
  adopted: number;
  completedDestroys: number;
  deposedDestroyed: number;
  /** Bare `lock: create` placeholders the user had to clear by hand, as the warning said. */
  placeholdersCleared: number;
  groupKills: number;
  phases: Record<string, number>;
  failure?: string;
}

export async function runCrashTrials(opts: { trials: number; seed: number; log(line: string): void }): Promise<CrashStats> {
  const rand = prng(opts.seed);
  const stats: CrashStats = {
    seed: opts.seed,
    trials: 0,
    converged: 0,
    leaks: 0,
    unlocks: 0,
    adopted: 0,
    completedDestroys: 0,
    deposedDestroyed: 0,
    placeholdersCleared: 0,
    groupKills: 0,
    phases: {},
  };
  const w = new Workdir("pmx-crash-");
  try {
    const init = await w.run("sim", "init", "sim");
    if (init.code !== 0) throw new Error(`sim init failed: ${init.stderr}`);
    let spec = initialSpec(rand);
    let estimateMs = 6000; // how long an apply of this size runs; adapted as trials go
    for (let t = 1; t <= opts.trials; t++) {
      if (t > 1) spec = mutate(spec, rand);
      w.write("main.pmx.hcl", configText(spec));
      // Half the kills at a random moment of the whole run, half shortly after an operation of
      // a chosen kind started (those are short and would rarely be hit otherwise).
      const onVerb = rand() < 0.5 ? pick(rand, ["create", "update", "destroy"]) : undefined;
      const delay = Math.floor(rand() * (onVerb ? 700 : estimateMs * 1.1));
      const group = rand() < 0.75;
      const k = await killedApply(w.dir, delay, group, onVerb);
      stats.trials++;
      stats.phases[k.phase] = (stats.phases[k.phase] ?? 0) + 1;
      if (!k.exitedFirst && group) stats.groupKills++;
      const { apply, unlocked, placeholders } = await recover(w);
      stats.placeholdersCleared += placeholders;
      // Only runs that finished tell how long an apply takes; a few per hundred land after the end.
      if (k.exitedFirst && !onVerb) estimateMs = Math.max(1500, Math.round(0.6 * estimateMs + 0.4 * k.ms));
      if (unlocked) stats.unlocks++;
      const said = apply.stdout + apply.stderr;
      stats.adopted += (said.match(/adopted container/g) ?? []).length;
      stats.completedDestroys += (said.match(/Completed an interrupted destroy/g) ?? []).length;
      stats.deposedDestroyed += (said.match(/\(deposed object [0-9a-f]{8}\): Destruction complete/g) ?? []).length;
      const plan = apply.code === 0 ? await w.run("plan", "-detailed-exitcode") : undefined;
      const c = check(w);
      stats.leaks += c.leaks.length;
      const ok = apply.code === 0 && plan?.code === 0 && c.problems.length === 0 && c.leaks.length === 0;
      opts.log(
        `trial ${t}: killed after ${k.ms} ms during ${k.phase}${k.exitedFirst ? "" : k.group ? " (process group)" : " (pmxform only)"}${unlocked ? ", lock removed" : ""}: ${ok ? "converged" : "FAILED"}`,
      );
      if (!ok) {
        stats.failure = [
          `trial ${t} (seed ${opts.seed}) did not converge in ${w.dir}`,
          `recovery apply exit ${apply.code}:\n${apply.stdout.slice(-3000)}\n${apply.stderr.slice(-3000)}`,
          plan ? `plan exit ${plan.code}:\n${plan.stdout.slice(-3000)}\n${plan.stderr.slice(-2000)}` : "",
          ...c.problems,
          ...c.leaks,
        ].join("\n");
        return stats; // the working directory is kept for inspection
      }
      stats.converged++;
    }
    w.remove();
    return stats;
  } catch (e) {
    stats.failure = `${(e as Error).message} (working directory ${w.dir})`;
    return stats;
  }
}
