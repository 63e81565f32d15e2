// local = true checks that pct exists on this machine and that pmxform runs as root.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localNodeProblem } from "../../src/engine/targets.js";

describe("local node checks", () => {
  const empty = mkdtempSync(join(tmpdir(), "pmx-nopct-"));
  const withPct = mkdtempSync(join(tmpdir(), "pmx-pct-"));
  writeFileSync(join(withPct, "pct"), "#!/bin/sh\n");
  chmodSync(join(withPct, "pct"), 0o755);

  it("says pct is missing", () => {
    // /usr/sbin is always searched; on this machine it has no pct (a Proxmox node would).
    expect(localNodeProblem("pve1", { PATH: empty }, 0)).toMatch(/pct was not found/);
  });
  it("says pmxform must run as root", () => {
    expect(localNodeProblem("pve1", { PATH: withPct }, 1000)).toMatch(/runs as uid 1000.*root/);
  });
  it("accepts root with pct on PATH", () => {
    expect(localNodeProblem("pve1", { PATH: withPct }, 0)).toBeUndefined();
  });
});
