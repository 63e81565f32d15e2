// A process killed (SIGKILL) in the middle of a stream of state writes leaves a state file that
// is complete and valid: the old version or the new one, never a mix.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateStore } from "../../src/state/store.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pmx-crash-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writer = `
import { StateStore } from ${JSON.stringify(new URL("../../src/state/store.ts", import.meta.url).pathname)};
import { newState } from ${JSON.stringify(new URL("../../src/state/types.ts", import.meta.url).pathname)};
const store = await StateStore.open(process.argv[2], { lock: false, lockTimeoutMs: 0, operation: "apply" });
const state = (await store.read()) ?? newState("0.1.0");
for (let i = 0; ; i++) {
  state.resources.push({ address: "lxc_container.c" + i, type: "lxc_container", name: "c" + i, provider: "proxmox",
    attributes: { vmid: 100 + i, blob: "x".repeat(2000) }, sensitive_attributes: [], dependencies: [] });
  await store.write(state);
  if (i === 5) console.log("writing");
  await new Promise((r) => setImmediate(r)); // state writes use sync I/O: let stdout flush

}
`;

describe("state writes under SIGKILL", () => {
  it("always leave a complete, valid state file", async () => {
    const statePath = join(dir, "pmxform.state.json");
    const script = join(dir, "writer.mts");
    writeFileSync(script, writer);
    for (let round = 0; round < 3; round++) {
      const child = execa(process.execPath, ["--import", "tsx", script, statePath], { reject: false, cwd: process.cwd() });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once("data", () => resolve());
        void child.then((r) => reject(new Error(`writer exited early: ${r.stderr}`)));
      });
      await new Promise((r) => setTimeout(r, 50 + round * 70));
      child.kill("SIGKILL");
      const result = await child;
      expect(result.signal).toBe("SIGKILL");
      const store = await StateStore.open(statePath, { lock: false, lockTimeoutMs: 0, operation: "show" });
      const state = (await store.read())!;
      expect(state.serial).toBe(state.resources.length);
      if (round > 0) {
        // The backup is the state as the killed run found it: complete, and older.
        const backup = JSON.parse(readFileSync(`${statePath}.backup`, "utf8")) as { serial: number };
        expect(backup.serial).toBeLessThan(state.serial);
      }
    }
    // Temp files of killed writers may remain; they are never mistaken for the state.
    expect(readdirSync(dir).filter((f) => f.startsWith("pmxform.state.json") && !/\.(backup|tmp-\d+-[0-9a-f]{12})$/.test(f))).toEqual(["pmxform.state.json"]);
  });
});
