// The contract every shared state backend (pg, pve) keeps, as assertions each backend's own test
// runs against its real server: compare-and-swap writes, no lost update among unlocked writers,
// shared plan locks that keep an apply out (and the reverse) naming the holder, and a real child
// process holding a lock so a test can SIGKILL it. One copy, so the backends cannot drift apart
// in what they promise.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { expect } from "vitest";
import { StateConflictError, type BackendLock, type StateBackend, type StateVersion } from "../../src/state/backends/types.js";
import { StateLockedError } from "../../src/state/errors.js";
import type { LockInfo } from "../../src/state/lock-info.js";

export const lockInfo = (operation: string, who = "alice@laptop", id: string = randomUUID()): LockInfo => ({
  id,
  path: "default",
  operation,
  who,
  user: who.split("@")[0]!,
  host: "laptop",
  pid: process.pid,
  version: "test",
  created: new Date().toISOString(),
});

export const version = (serial: number, lineage = "L"): StateVersion => ({ lineage, serial });

/** `a` wrote serial 1, `b` moved it to 2: a's stale write and a write that expects no state both fail, and nothing is overwritten. */
export async function expectCompareAndSwap(a: StateBackend, b: StateBackend, workspace: string): Promise<void> {
  await a.write(workspace, Buffer.from("one"), null, version(1));
  await b.write(workspace, Buffer.from("two"), version(1), version(2));
  const stale = await a.write(workspace, Buffer.from("lost update"), version(1), version(2)).catch((e: unknown) => e);
  expect(stale).toBeInstanceOf(StateConflictError);
  expect((stale as Error).message).toContain("expected serial 1 of lineage L but found serial 2 of lineage L");
  const fresh = await b.write(workspace, Buffer.from("again"), null, version(1, "M")).catch((e: unknown) => e);
  expect(fresh).toBeInstanceOf(StateConflictError);
  expect((await a.read(workspace))!.toString()).toBe("two");
}

/**
 * Every writer reads the counter and writes it plus one, `rounds` times, all at once and without
 * a lock: each success is exactly one serial step and every failure is a StateConflictError.
 */
export async function expectNoLostUpdate(writers: StateBackend[], workspace: string, rounds: number): Promise<{ successes: number; conflicts: number }> {
  await writers[0]!.write(workspace, Buffer.from("0"), null, version(0));
  let successes = 0;
  let conflicts = 0;
  await Promise.all(
    writers.map(async (w) => {
      for (let i = 0; i < rounds; i++) {
        const n = Number((await w.read(workspace))!.toString());
        try {
          await w.write(workspace, Buffer.from(String(n + 1)), version(n), version(n + 1));
          successes++;
        } catch (e) {
          expect(e).toBeInstanceOf(StateConflictError);
          conflicts++;
        }
      }
    }),
  );
  expect(successes + conflicts).toBe(writers.length * rounds);
  expect(successes).toBeGreaterThan(0);
  expect(Number((await writers[0]!.read(workspace))!.toString())).toBe(successes);
  return { successes, conflicts };
}

/**
 * Two plans share the lock; an apply waiting `waitMs` is refused naming a plan (`onRefused` runs
 * before the plans let go); then the apply holds it and a plan is refused naming the apply. The
 * apply's lock is returned still held, with the refusal, for the backend's own checks.
 */
export async function expectSharedExcludesExclusive(
  backends: { reader1: StateBackend; reader2: StateBackend; writer: StateBackend },
  workspace: string,
  waitMs: number,
  onRefused: (err: StateLockedError) => void = () => undefined,
): Promise<{ held: BackendLock; blocked: StateLockedError }> {
  const { reader1, reader2, writer } = backends;
  const a = await reader1.lock(workspace, "shared", lockInfo("plan", "alice@laptop"), 0);
  const b = await reader2.lock(workspace, "shared", lockInfo("plan", "bob@desk"), 0);
  const err = await writer.lock(workspace, "exclusive", lockInfo("apply", "ci@runner"), waitMs).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StateLockedError);
  expect((err as StateLockedError).holder?.operation).toBe("plan");
  expect(["alice@laptop", "bob@desk"]).toContain((err as StateLockedError).holder?.who);
  onRefused(err as StateLockedError);
  await a.release();
  await b.release();
  const held = await writer.lock(workspace, "exclusive", lockInfo("apply", "ci@runner"), 0);
  const blocked = await reader1.lock(workspace, "shared", lockInfo("plan"), waitMs).catch((e: unknown) => e);
  expect(blocked).toBeInstanceOf(StateLockedError);
  expect((blocked as StateLockedError).holder).toMatchObject({ who: "ci@runner", operation: "apply", id: held.info.id });
  expect((blocked as Error).message).toContain(`ID:        ${held.info.id}`);
  return { held, blocked: blocked as StateLockedError };
}

/**
 * Starts a fixture that takes a lock and prints "held" (node itself runs it with tsx as a loader,
 * so a SIGKILL reaches the process holding the lock) and resolves once it holds it.
 */
export async function spawnLockHolder(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildProcessByStdio<null, Readable, null>> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"], env });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
    child.once("exit", (code) => reject(new Error(`holder exited early (${code})`)));
  });
  return child;
}

/** What a spawned holder (test/state/fixtures/*-hold-lock.ts) says about itself. */
export const childHolderInfo = (id: string, workspace: string): LockInfo => ({ ...lockInfo("apply", "child@test", id), path: workspace, host: "test" });
