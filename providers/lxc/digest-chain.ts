// The digest an update's writes carry from one step to the next, so that no write of an update
// overwrites a key someone else changed while it ran (a lost update). The first write checks the
// digest the plan read; every later one checks the digest of a read made after pmxform's own
// previous write, once that read showed only pmxform's keys changed.
import { confDigest } from "../../src/pve/conf.js";
import { ConfChanged, readConfText, type ConfTarget } from "./conf-write.js";
import { changedKeys, confValue, SIDE_EFFECT_KEY } from "./conf-changes.js";
import type { PctOperation } from "./operations.js";

/** A key this update writes was changed by someone else while it ran: a stop, not a bug. */
export class OutsideChange extends Error {}

/**
 * pct's refusal of a stale --digest: PVE::Tools assert_if_modified, which pct set (pve-container
 * src/PVE/API2/LXC/Config.pm update_vm) and pct resize (src/PVE/API2/LXC.pm resize_vm, its
 * `digest` parameter) both call under the CT lock; the simulator's pct-set.ts / pct-disk.ts match.
 */
const DIGEST_REFUSED = /config file has been modified by another user|detected modified configuration/i;

/** Whether `err` (or an error it wraps) is pct's refusal of a stale digest. */
export function refusedDigest(err: unknown): boolean {
  if (err instanceof ConfChanged) return true;
  const texts: unknown[] = [];
  for (let e: unknown = err; e !== null && typeof e === "object"; e = (e as { cause?: unknown }).cause) texts.push((e as { stderr?: unknown }).stderr, (e as { message?: unknown }).message);
  return texts.some((x) => typeof x === "string" && DIGEST_REFUSED.test(x));
}

/** Every conf key the update's steps write (a `*` suffix: any slot of that block). */
export function keysWritten(ops: readonly PctOperation[]): string[] {
  return ops.flatMap((o) => {
    switch (o.op) {
      case "set":
        return [...o.set.map((p) => p.key), ...o.delete];
      case "resize":
        return [o.disk];
      case "move_volume":
        return [o.disk];
      case "unprotect":
        return ["protection"];
      case "raw_lxc":
        return ["lxc"];
      default:
        return [];
    }
  });
}

export class DigestChain {
  /** The conf text `digest` is the digest of (undefined: the plan's digest no longer matches the conf). */
  private known: string | undefined;
  private digest: string | undefined;
  /** The digest is the plan's: a refusal means a change since the plan, and nothing of the update is done. */
  private fromPlan: boolean;
  /** Keys pmxform's own steps changed since `known` (the digest is unknown until the next read). */
  private readonly ours = new Set<string>();

  constructor(
    private readonly t: ConfTarget,
    planDigest: string | undefined,
    firstRead: string,
    private readonly writes: readonly string[],
  ) {
    this.digest = planDigest ?? confDigest(firstRead);
    this.known = confDigest(firstRead) === this.digest ? firstRead : undefined;
    this.fromPlan = planDigest !== undefined;
  }

  /**
   * The digest the next write passes. After a write of pmxform's, one read of the conf: keys
   * that changed besides pmxform's own are someone else's; when the update writes one of them,
   * it stops (writing would undo that change), otherwise their change stands and the chain goes on.
   */
  async current(): Promise<string | undefined> {
    if (this.digest !== undefined) return this.digest;
    const text = await readConfText(this.t);
    if (this.known !== undefined) {
      const outside = changedKeys(this.known, text).filter((k) => !this.ours.has(k) && !SIDE_EFFECT_KEY.test(k) && this.isWritten(k));
      if (outside.length) throw this.outsideChange(outside, text);
    }
    this.known = text;
    this.digest = confDigest(text);
    this.ours.clear();
    this.fromPlan = false;
    return this.digest;
  }

  /**
   * Runs one write of `keys` with the current digest. Refused because someone wrote between
   * pmxform's read and this write: read again (the check above decides), and write once more.
   */
  async write<T>(keys: readonly string[], run: (digest: string | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const digest = await this.current();
      try {
        const result = await run(digest);
        this.unchecked(keys);
        return result;
      } catch (err) {
        // Bounded: a node written to without pause is not worth chasing.
        if (!refusedDigest(err) || this.fromPlan || attempt >= 2) throw err;
        this.digest = undefined;
      }
    }
  }

  /**
   * The conf text the current digest is the digest of (after current()); undefined when the
   * plan's digest no longer matches the conf, so a write with it is refused anyway.
   */
  text(): string | undefined {
    return this.digest !== undefined ? this.known : undefined;
  }

  /** A write pmxform made itself without a digest (its text is known: raw lxc lines under the CT lock). */
  wrote(text: string): void {
    this.known = text;
    this.digest = confDigest(text);
    this.ours.clear();
    this.fromPlan = false;
  }

  /** A step that changed `keys` of the conf without a digest check (pending keys applied by pct start/reboot). */
  unchecked(keys: Iterable<string>): void {
    for (const k of keys) this.ours.add(k);
    this.digest = undefined;
    this.fromPlan = false;
  }

  /** The keys waiting in [pve:pending] as far as known: pct start/reboot apply them (pve-container LXC.pm vm_start). */
  pendingKeys(): string[] {
    if (this.known === undefined) return [];
    return changedKeys(this.known.replace(/\n\[pve:pending\][^]*?(?=\n\[|$)/, ""), this.known);
  }

  private isWritten(key: string): boolean {
    return this.writes.some((w) => (w.endsWith("*") ? key.startsWith(w.slice(0, -1)) : key === w));
  }

  private outsideChange(keys: string[], text: string): OutsideChange {
    const now = keys.map((k) => `${k} (now ${confValue(text, k) ?? "unset"})`).join(", ");
    return new OutsideChange(
      `${this.t.address}: ${now} was changed outside pmxform while this apply was updating the container. ` +
        `pmxform stopped before writing ${keys.length > 1 ? "them" : "it"}, so that change is kept; the steps already done stay done. ` +
        `Run "pmxform plan" again to see the difference and decide which value the container should have.`,
    );
  }
}
