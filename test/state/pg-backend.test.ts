// The pg state backend on a real PostgreSQL (Debian's package, a throwaway cluster on 127.0.0.1):
// compare-and-swap writes, shared/exclusive locks on one dedicated session, the holder named in
// the lock error, a SIGKILLed holder's lock freed with its session, force-unlock, and a server
// that goes away under a held lock.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgBackend, describeConn } from "../../src/state/backends/pg.js";
import { StateError, StateLockedError } from "../../src/state/errors.js";
import { expectCompareAndSwap, expectNoLostUpdate, expectSharedExcludesExclusive, lockInfo as info, spawnLockHolder } from "../helpers/backend-contract.js";
import { HAVE_POSTGRES, NO_POSTGRES, startPostgres, type Postgres } from "../helpers/postgres.js";

describe.skipIf(!HAVE_POSTGRES)(`pg backend${HAVE_POSTGRES ? "" : ` (skipped: ${NO_POSTGRES})`}`, () => {
  let pg: Postgres;
  const opened: PgBackend[] = [];
  const backend = (schema = "pmxform"): PgBackend => {
    const b = new PgBackend({ connString: pg.url, schema });
    opened.push(b);
    return b;
  };

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    for (const b of opened) await b.close();
    pg?.remove();
  });

  it("creates its tables on first use and round-trips a state under compare-and-swap", async () => {
    const b = backend("rt");
    expect(await b.read("default")).toBeNull();
    await b.write("default", Buffer.from('{"serial":1}'), null, { lineage: "L", serial: 1 });
    expect((await b.read("default"))!.toString()).toBe('{"serial":1}');
    await b.write("default", Buffer.from('{"serial":2}'), { lineage: "L", serial: 1 }, { lineage: "L", serial: 2 });
    expect((await b.read("default"))!.toString()).toBe('{"serial":2}');
    expect(pg.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'rt' ORDER BY 1")).toBe("audit\nlocks\nstates\n");
  });

  it("refuses a write based on a state someone else changed, and overwrites nothing", async () => {
    await expectCompareAndSwap(backend("cas"), backend("cas"), "default");
  });

  it("loses no update among concurrent unlocked writers: every success is one serial step", async () => {
    await expectNoLostUpdate(
      Array.from({ length: 8 }, () => backend("race")),
      "default",
      10,
    );
  });

  it("lets readers share the lock, keeps a writer out while they hold it, and names the holder", async () => {
    const r1 = backend("locks");
    const { held } = await expectSharedExcludesExclusive({ reader1: r1, reader2: backend("locks"), writer: backend("locks") }, "default", 300);
    await held.release();
    await (await r1.lock("default", "shared", info("plan"), 0)).release();
  });

  it("frees the lock of a SIGKILLed holder with its session, and the blocked run said who held it", async () => {
    const id = PgBackend.newLockId();
    const child = await spawnLockHolder(join(import.meta.dirname, "fixtures/pg-hold-lock.ts"), [pg.url, "killed", "exclusive", id]);
    const b = backend();
    const err = await b.lock("killed", "exclusive", info("apply"), 200).catch((e: unknown) => e);
    expect((err as StateLockedError).holder).toMatchObject({ id, who: "child@test" });
    child.kill("SIGKILL");
    const lock = await b.lock("killed", "exclusive", info("apply"), 10_000);
    expect(lock.mode).toBe("exclusive");
    // The killed holder's row was cleared by the new holder.
    expect(pg.sql(`SELECT count(*) FROM pmxform.locks WHERE id = '${id}'`).trim()).toBe("0");
    await lock.release();
  });

  it("force-unlock ends the holder's session, which notices it lost the lock", async () => {
    const holder = backend("force");
    const other = backend("force");
    const held = await holder.lock("default", "exclusive", info("apply", "stuck@host"), 0);
    const missing = await other.forceUnlock("default", "no-such-id").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(StateError);
    expect((missing as Error).message).toContain("No lock with ID no-such-id");
    await other.forceUnlock("default", held.info.id);
    const mine = await other.lock("default", "exclusive", info("apply"), 5000);
    await new Promise((r) => setTimeout(r, 200));
    expect(held.lost()?.message).toMatch(/lost|ended/);
    await held.release();
    await mine.release();
  });

  it("says what happened, without the password, when the server goes away under a held lock", async () => {
    const b = backend("down");
    await b.write("default", Buffer.from("x"), null, { lineage: "L", serial: 1 });
    const held = await b.lock("default", "exclusive", info("apply"), 0);
    pg.stop();
    try {
      const err = await b.write("default", Buffer.from("y"), { lineage: "L", serial: 1 }, { lineage: "L", serial: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as Error).message).toContain("failed while saving the state");
      expect((err as Error).message).not.toContain(pg.password);
      await new Promise((r) => setTimeout(r, 200));
      expect(held.lost()).toBeInstanceOf(Error);
      const fresh = new PgBackend({ connString: pg.url, connectTimeoutS: 2 });
      const unreachable = await fresh.read("default").catch((e: unknown) => e);
      expect((unreachable as Error).message).toMatch(/^Cannot reach the state backend pg \(127\.0\.0\.1:\d+\/pmxform, schema pmxform\)/);
      expect((unreachable as Error).message).not.toContain(pg.password);
    } finally {
      pg.start();
    }
    await held.release();
  });

  it("describes a connection without its credentials", () => {
    expect(describeConn("postgres://u:secret@db.lan:5433/tf")).toBe("db.lan:5433/tf");
    expect(describeConn("host=db.lan port=5434 dbname=pmx user=u password='s3 cret'")).toBe("db.lan:5434/pmx");
  });
});
