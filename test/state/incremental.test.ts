// The real StateStore with its per-resource text cache, differential against JSON.stringify: after
// random in-place mutations every file is the reference text, a save that changes nothing writes
// nothing, and the file read back is the state.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateStore } from "../../src/state/store.js";
import type { StateFile } from "../../src/state/types.js";
import { prng } from "../helpers/prng.js";
import { mutate, randomState } from "./random-state.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pmx-incr-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The documented format, built here without src/state/serialize.ts. */
function reference(state: StateFile, serial: number): string {
  const { version, pmxform_version, lineage, serial: _stale, resources, outputs, ...rest } = state;
  return JSON.stringify({ version, pmxform_version, lineage, serial, resources, outputs, ...rest }, null, 2) + "\n";
}

const open = (path: string) => StateStore.open(path, { lock: false, lockTimeoutMs: 0, operation: "apply" });

describe("StateStore with cached resource texts", () => {
  it("writes exactly the reference text, and nothing when nothing changed, through random mutations", async () => {
    let skipped = 0;
    let rereadUnchanged = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const rng = prng(seed * 7919);
      const path = join(dir, `s${seed}.json`);
      const store = await open(path);
      const state = randomState(rng);
      let onDisk: string | null = null;
      let serial = 0;
      try {
        for (let step = 0; step < 25; step++) {
          const what = step === 0 ? "first" : mutate(rng, state);
          const where = `seed ${seed} step ${step} (${what})`;
          const unchanged = onDisk !== null && reference(state, serial) === onDisk;
          const writesBefore = store.writes;
          await store.write(state);
          if (unchanged) {
            skipped++;
            expect(store.writes, where).toBe(writesBefore);
            expect(readFileSync(path, "utf8"), where).toBe(onDisk);
          } else {
            serial++;
            expect(store.writes, where).toBe(writesBefore + 1);
            onDisk = readFileSync(path, "utf8");
            expect(onDisk, where).toBe(reference(state, serial));
          }
          expect(state.serial, where).toBe(serial);
        }
      } finally {
        await store.release();
      }
      // Read back by a fresh store: the state as JSON sees it. Saving it again writes only if its
      // text differs (validation puts a resource's known members in schema order).
      const again = await open(path);
      const read = (await again.read())!;
      expect(read).toEqual(JSON.parse(JSON.stringify({ ...state, serial })));
      const differs = reference(read, serial) !== onDisk;
      await again.write(read);
      expect(again.writes).toBe(differs ? 1 : 0);
      expect(readFileSync(path, "utf8")).toBe(reference(read, differs ? serial + 1 : serial));
      rereadUnchanged += differs ? 0 : 1;
      await again.release();
    }
    expect(skipped).toBeGreaterThan(10); // the unchanged-save rule was exercised, not only writes
    expect(rereadUnchanged).toBeGreaterThan(0); // ...and after a read, by bytes
  });

  it("notices an in-place change to a resource it has cached, and an undo of it", async () => {
    const path = join(dir, "s.json");
    const store = await open(path);
    const state = randomState(prng(3));
    state.resources.push({ address: "a.b", type: "a", name: "b", provider: "p", attributes: { tags: ["x"], net: { eth0: { ip: "dhcp" } } }, sensitive_attributes: [], dependencies: [] });
    const r = state.resources.at(-1)!;
    await store.write(state);
    (r.attributes["net"] as { eth0: { ip: string } }).eth0.ip = "10.0.0.2/24";
    await store.write(state);
    expect(store.writes).toBe(2);
    expect(readFileSync(path, "utf8")).toBe(reference(state, 2));
    (r.attributes["net"] as { eth0: { ip: string } }).eth0.ip = "dhcp"; // back to the first content
    await store.write(state);
    expect(store.writes).toBe(3);
    expect(readFileSync(path, "utf8")).toBe(reference(state, 3));
    state.resources[state.resources.length - 1] = structuredClone(r); // a new object, same content
    await store.write(state);
    expect(store.writes).toBe(3);
    await store.release();
  });
});
