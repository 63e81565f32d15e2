// An in-memory provider for testing the engine's semantics without the simulator (as Pulumi's
// deploytest does): `fake_thing` objects live in a FakeCloud map, every create/update/delete is
// logged with its start and end, failures are injected at chosen calls (before any effect, as
// the provider contract asks: a failed call changed nothing), and concurrency is measured
// overall and per node. FakeRun drives the real engine over it: the real configuration
// evaluation, plan(), the plan file round trip, applyChanges() and the StateHolder, with a
// refresh that reads every entry from the cloud.
//
// fake_thing attributes: `name`, `deps` (anything; references make dependencies) and `node`
// update in place; `size` forces replacement; `id` is computed (known after apply).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { Unknown } from "../../src/config/value.js";
import type { Change } from "../../src/plan/change.js";
import { deepEqual } from "../../src/plan/attr-diff.js";
import { applyChanges, type ApplySummary } from "../../src/engine/apply.js";
import { deposedForRefresh, settleDeposed } from "../../src/engine/deposed.js";
import { plan, type PlanOptions, type PlanResult } from "../../src/engine/plan.js";
import { changeFromFile, changeToFile } from "../../src/engine/planfile.js";
import { openSession } from "../../src/engine/session.js";
import { StateHolder } from "../../src/engine/state-holder.js";
import { Targets } from "../../src/engine/targets.js";
import { ProviderRegistry } from "../../src/provider/registry.js";
import type { Attrs, ChangeReason, Diff, Provider, ResourceType } from "../../src/provider/types.js";
import type { StateFile } from "../../src/state/types.js";

export type FakeOp = "create" | "update" | "delete";

/** One provider call as the cloud saw it. */
export interface FakeCall {
  /** Global call number, from 0, in the order calls started. */
  n: number;
  op: FakeOp;
  address: string;
  /** The object's id (create: the one it got; undefined when the call failed). */
  id?: string;
  /** Event sequence numbers: a call B starts after A finished when B.start > A.end. */
  start: number;
  end?: number;
  failed?: boolean;
}

export class FakeCloud {
  /** id -> attributes: what exists. */
  readonly objects = new Map<string, Attrs>();
  readonly calls: FakeCall[] = [];
  /** A call fails (before any effect) when this answers true. */
  failWhen: (call: { n: number; op: FakeOp; address: string }) => boolean = () => false;
  /** Called as each call starts, before anything happens (e.g. to compare the saved state with what exists). */
  onCallStart: (call: FakeCall) => void = () => {};
  /** How long each call takes (ms; 0 still yields to the event loop). */
  delayMs = 0;
  maxActive = 0;
  readonly maxActivePerNode = new Map<string, number>();
  private active = 0;
  private readonly activePerNode = new Map<string, number>();
  private seq = 0;
  private nextId = 1;

  /** Runs one call: counted, logged, delayed, failed when chosen, else `effect`. */
  async call<T>(op: FakeOp, address: string, node: string, effect: (call: FakeCall) => T): Promise<T> {
    const call: FakeCall = { n: this.calls.length, op, address, start: this.seq++ };
    this.calls.push(call);
    this.onCallStart(call);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const onNode = (this.activePerNode.get(node) ?? 0) + 1;
    this.activePerNode.set(node, onNode);
    this.maxActivePerNode.set(node, Math.max(this.maxActivePerNode.get(node) ?? 0, onNode));
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.failWhen({ n: call.n, op, address })) {
        call.failed = true;
        throw new Error(`injected failure of ${op} #${call.n} (${address})`);
      }
      return effect(call);
    } finally {
      call.end = this.seq++;
      this.active--;
      this.activePerNode.set(node, this.activePerNode.get(node)! - 1);
    }
  }

  newId(): string {
    return `obj-${this.nextId++}`;
  }

  /** Calls (that did not fail) for one address and operation. */
  done(address: string, op?: FakeOp): FakeCall[] {
    return this.calls.filter((c) => c.address === address && !c.failed && (op === undefined || c.op === op));
  }
}

const anything = z.unknown().optional();
const fakeSchema = z.object({ name: anything, size: anything, deps: anything, node: anything });
const UPDATABLE = ["name", "deps", "node"] as const;

function nodeOf(config: Attrs | null, prior: Attrs | null): string | undefined {
  const n = config?.["node"] ?? prior?.["node"];
  return typeof n === "string" ? n : undefined;
}

function diff(config: Attrs, prior: Attrs | null, forceReplace: boolean): Diff {
  const fresh: Attrs = { ...config, id: new Unknown() };
  if (!prior) return { action: "create", planned: fresh, reasons: [], issues: [] };
  const reasons: ChangeReason[] = [];
  if (!deepEqual(config["size"] ?? null, prior["size"] ?? null)) reasons.push({ path: ["size"], reason: "forces replacement" });
  if (reasons.length || forceReplace) return { action: "replace", planned: fresh, reasons, issues: [] };
  const changed = UPDATABLE.some((k) => !deepEqual(config[k] ?? null, prior[k] ?? null));
  return changed ? { action: "update", planned: { ...prior, ...config }, reasons: [], issues: [] } : { action: "no-op", planned: prior, reasons: [], issues: [] };
}

export function fakeThing(cloud: FakeCloud): ResourceType {
  const node = (a: Attrs | null) => nodeOf(a, null) ?? "n1";
  return {
    type: "fake_thing",
    blocks: {},
    schema: fakeSchema,
    sensitiveAttributes: [],
    computedAttributes: ["id"],
    nodeOf,
    diff: ({ config, prior, forceReplace }) => diff(config, prior, forceReplace),
    read: ({ prior }) => cloud.objects.get(String(prior["id"])) ?? null,
    create: ({ address, config }) =>
      cloud.call("create", address, node(config), (call) => {
        const id = cloud.newId();
        call.id = id;
        const attrs: Attrs = { ...config, id };
        cloud.objects.set(id, attrs);
        return attrs;
      }),
    update: ({ address, config, prior }) =>
      cloud.call("update", address, node(config), (call) => {
        const id = String(prior["id"]);
        call.id = id;
        if (!cloud.objects.has(id)) throw new Error(`${address}: ${id} does not exist`);
        const attrs: Attrs = { ...config, id };
        cloud.objects.set(id, attrs);
        return attrs;
      }),
    delete: ({ address, prior }) =>
      cloud.call("delete", address, node(prior), (call) => {
        const id = String(prior["id"]);
        call.id = id;
        cloud.objects.delete(id);
      }),
    objectKey: (a) => (typeof a["id"] === "string" ? a["id"] : undefined),
    progressId: (a) => (typeof a["id"] === "string" ? `id=${a["id"]}` : undefined),
  };
}

export function fakeProvider(cloud: FakeCloud): Provider {
  return { name: "fake", resourceTypes: [fakeThing(cloud)], snapshot: async () => ({ snapshot: cloud, nodes: [] }) };
}

export interface RunResult {
  plan: PlanResult;
  /** Undefined when the plan had errors (nothing applied). */
  summary?: ApplySummary;
  /** Every progress line apply printed. */
  lines: string[];
}

/**
 * One working directory with a configuration, a state (in memory, every save kept) and a cloud.
 * `run` plans and applies as `pmxform apply -auto-approve` does, through a plan file round trip.
 */
export class FakeRun {
  readonly dir = mkdtempSync(join(tmpdir(), "pmx-fake-"));
  readonly cloud = new FakeCloud();
  readonly registry = new ProviderRegistry().add(fakeProvider(this.cloud));
  state: StateFile = { version: 1, pmxform_version: "0.1.0", lineage: "fake-lineage", serial: 0, resources: [], outputs: {} };
  /** Every state the engine saved, in order. */
  readonly saves: StateFile[] = [];

  configure(hcl: string): this {
    writeFileSync(join(this.dir, "main.pmx.hcl"), hcl);
    return this;
  }

  async plan(options: Partial<PlanOptions> = {}): Promise<PlanResult> {
    const { session, diagnostics } = await openSession({ chdir: this.dir }, this.registry, { variables: "resolve" });
    if (!session) throw new Error(`configuration does not load: ${diagnostics.map((d) => `${d.summary}: ${d.detail ?? ""}`).join("; ")}`);
    const state = structuredClone(this.state);
    const refreshed = new Map<string, Attrs | null>();
    for (const r of [...state.resources, ...deposedForRefresh(state)]) refreshed.set(r.address, this.cloud.objects.get(String(r.attributes["id"])) ?? null);
    const deposed = settleDeposed(this.registry, state, refreshed, new Map());
    this.state = state;
    return plan({
      session,
      prior: state.resources,
      refreshed,
      unreachable: new Map(),
      snapshotFor: () => this.cloud,
      options: { destroy: false, refreshOnly: false, targets: [], replace: [], ...options },
      deposed: deposed.objects,
      lineage: state.lineage,
    });
  }

  async run(options: Partial<PlanOptions> & { parallelism?: number; perNodeLimit?: number } = {}): Promise<RunResult> {
    const planned = await this.plan(options);
    const lines: string[] = [];
    if (planned.diagnostics.some((d) => d.severity === "error")) return { plan: planned, lines };
    const { session } = await openSession({ chdir: this.dir }, this.registry, { variables: "resolve" });
    // As `apply`: refreshed values recorded, then the changes exactly as a plan file carries them.
    this.state.resources = this.state.resources.map((s) => ({ ...s, attributes: planned.refreshedPrior.find((p) => p.address === s.address)?.attributes ?? s.attributes }));
    const changes: Change[] = planned.changes.map((c) => changeFromFile(changeToFile(c)));
    const holder = new StateHolder(this.state, { write: (s) => void this.saves.push(structuredClone(s)) });
    const summary = await applyChanges({
      session: session!,
      changes,
      targets: new Targets(new Map()),
      state: holder,
      snapshotFor: () => this.cloud,
      parallelism: options.parallelism ?? 10,
      perNodeLimit: options.perNodeLimit ?? 4,
      signal: new AbortController().signal,
      out: (l) => lines.push(l),
    });
    this.state = holder.file;
    return { plan: planned, summary, lines };
  }

  /** Ids the state names as current or deposed objects (each once). */
  recordedIds(state: StateFile = this.state): string[] {
    return [...new Set([...state.resources, ...(state.deposed ?? [])].map((r) => String(r.attributes["id"])))].sort();
  }

  /** What the state file on disk would hold now: the last save (the state before the run when none). */
  lastSaved(): StateFile | undefined {
    return this.saves.at(-1);
  }

  /** Ids of what exists in the cloud. */
  existingIds(): string[] {
    return [...this.cloud.objects.keys()].sort();
  }

  /** The state's attributes by address (current objects). */
  attributes(address: string): Attrs | undefined {
    return this.state.resources.find((r) => r.address === address)?.attributes;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
