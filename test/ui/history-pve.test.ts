// The web view's history through the pve state backend on the simulator: the records are read
// from the backend's own audit log (src/audit auditLogOf), not from a file next to a local state
// this project does not have.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { initSim } from "../../src/sim/index.js";
import { readHistory } from "../../src/ui/history.js";
import { BUILT, NOT_BUILT, Workdir, container } from "../e2e/helpers.js";

const config = (simDir: string, memory: number) => `proxmox {
  node "pve1" {
    sim = "${simDir}"
  }
}

backend "pve" {
  nodes = ["pve1"]
}

${container("web", `  vmid     = 160\n  hostname = "web"\n  memory   = ${memory}\n  started  = false`)}`;

describe.skipIf(!BUILT)(`history with the pve backend${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const simDir = mkdtempSync(join(tmpdir(), "pmx-ui-history-sim-"));
  const w = new Workdir("pmx-ui-history-pve-");
  afterAll(() => {
    w.remove();
    rmSync(simDir, { recursive: true, force: true });
  });

  it("lists every apply recorded in the backend, newest first", { timeout: 180_000 }, async () => {
    initSim(simDir, { nodes: ["pve1"] });
    w.write("main.pmx.hcl", config(simDir, 512));
    expect((await w.run("init")).code).toBe(0);
    expect((await readHistory({ chdir: w.dir })).entries).toEqual([]);
    const first = await w.run("apply", "-auto-approve");
    expect(first.code, first.stderr).toBe(0);
    w.write("main.pmx.hcl", config(simDir, 1024));
    const second = await w.run("apply", "-auto-approve");
    expect(second.code, second.stderr).toBe(0);

    const h = await readHistory({ chdir: w.dir });
    expect(existsSync(w.path("pmxform.state.json.audit.jsonl")), "a local log was written").toBe(false);
    expect(h.where).not.toContain(w.dir);
    expect(h.entries.map((e) => [e.origin, e.counts, e.result])).toEqual([
      ["cli", "0 to add, 1 to change, 0 to destroy", "success"],
      ["cli", "1 to add, 0 to change, 0 to destroy", "success"],
    ]);
    expect(h.entries[0]!.planHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
