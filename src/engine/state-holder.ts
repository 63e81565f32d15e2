// The in-memory state of one run and its persistence: every finished resource operation is
// written through at once (atomic write by the store), intents are recorded before
// irreversible steps, and deposed objects are tracked during create_before_destroy.
import type { Value } from "../config/value.js";
import { containsSensitive, putKey, unmark } from "../config/value.js";
import { deepEqual, splitUnknown } from "../plan/attr-diff.js";
import type { Intent, StateFile, StateResource } from "../state/types.js";
import { deposedKeyOf, newDeposedKey } from "./deposed.js";
import type { IntentIdentity } from "./identity.js";
import { parseAddress, withModule } from "./address.js";

/** Before the registry is known: an intent may name any object of its address, and none exactly. */
const UNKNOWN_IDENTITY: IntentIdentity = { mayName: () => true, isAbout: () => false };

export interface StateWriter {
  /** May return a promise, which the holder awaits. */
  write(state: StateFile): unknown;
}

export class StateHolder {
  constructor(
    private state: StateFile,
    private readonly writer: StateWriter,
    private identity: IntentIdentity = UNKNOWN_IDENTITY,
  ) {}

  /** How intents are matched to objects: the provider's identity hooks (src/engine/identity.ts). */
  useIdentity(identity: IntentIdentity): void {
    this.identity = identity;
  }

  get file(): StateFile {
    return this.state;
  }

  resources(): StateResource[] {
    return this.state.resources;
  }

  get(address: string): StateResource | undefined {
    return this.state.resources.find((r) => r.address === address);
  }

  upsert(r: StateResource): void {
    const i = this.state.resources.findIndex((x) => x.address === r.address);
    if (i >= 0) this.state.resources[i] = r;
    else this.state.resources.push(r);
    this.state.resources.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    // An intent naming another object of the address (an interrupted create whose leftover could
    // not be settled) is not answered by this result: it stays for the next plan to check.
    this.clearIntents(r.address, (i) => this.identity.mayName(r.type, i, r.attributes));
  }

  remove(address: string): void {
    this.state.resources = this.state.resources.filter((r) => r.address !== address);
    this.clearIntents(address);
  }

  move(from: string, to: string): void {
    const r = this.get(from);
    if (!r || this.get(to)) return;
    const p = parseAddress(to);
    if (!p) return;
    const moved: StateResource = withModule({ ...r, address: to, name: p.name }, p.module);
    if (p.key !== undefined) moved.index = p.key;
    else delete moved.index;
    this.remove(from);
    this.upsert(moved);
  }

  /**
   * create_before_destroy: the current object is also recorded as deposed (under a new key)
   * before its replacement is created, so a killed run leaves it to the next plan to destroy.
   */
  depose(address: string): string | undefined {
    const r = this.get(address);
    if (!r) return undefined;
    const key = newDeposedKey();
    this.state.deposed = [...(this.state.deposed ?? []), { ...r, deposed_key: key }];
    return key;
  }

  /** The deposed object is destroyed (or was never really deposed): forget it and its intents. */
  dropDeposed(address: string, key: string): void {
    const gone = (this.state.deposed ?? []).find((d) => d.address === address && deposedKeyOf(d) === key);
    this.state.deposed = (this.state.deposed ?? []).filter((d) => d !== gone);
    if (!this.state.deposed.length) delete this.state.deposed;
    if (gone && this.state.intents) {
      this.state.intents = this.state.intents.filter((i) => !(i.address === address && this.identity.isAbout(gone.type, i, gone.attributes)));
      if (!this.state.intents.length) delete this.state.intents;
    }
  }

  async recordIntent(intent: Omit<Intent, "started">): Promise<void> {
    this.state.intents = [...(this.state.intents ?? []), { ...intent, started: new Date().toISOString() }];
    await this.save();
  }

  /** The latest intent recorded for exactly this step, which provably did nothing: gone. */
  forgetIntent(step: Omit<Intent, "started">): void {
    // The record as the provider wrote it, field for field (whatever names its object).
    const same = ({ started: _s, ...i }: Intent) => deepEqual(i, step);
    const last = (this.state.intents ?? []).findLastIndex(same);
    if (last >= 0) this.dropIntent(this.state.intents![last]!);
  }

  /** An intent settled without a resource operation (its leftover was removed). */
  dropIntent(intent: Intent): void {
    this.state.intents = (this.state.intents ?? []).filter((i) => i !== intent);
    if (!this.state.intents.length) delete this.state.intents;
  }

  private clearIntents(address: string, answered: (i: Intent) => boolean = () => true): void {
    if (!this.state.intents) return;
    this.state.intents = this.state.intents.filter((i) => i.address !== address || !answered(i));
    if (!this.state.intents.length) delete this.state.intents;
  }

  setOutputs(values: Map<string, { value: Value; sensitive: boolean }>): void {
    const outputs: StateFile["outputs"] = {};
    for (const [name, o] of values) {
      const sensitive = o.sensitive || containsSensitive(o.value);
      // Secrets never reach the state file: a sensitive output is recorded without its value.
      putKey(outputs, name, { value: sensitive ? null : splitUnknown(unmark(o.value)).value, sensitive });
    }
    this.state.outputs = outputs;
  }

  async save(): Promise<void> {
    await this.writer.write(this.state);
  }
}
