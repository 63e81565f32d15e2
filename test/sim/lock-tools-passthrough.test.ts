// The simulated node's mkdir/touch/rmdir answer only for the cluster lock directory; anything else
// runs the system's tool, as on a real node (scripts run in a session whose PATH starts with the
// simulator's bin, e.g. the SSH tests' drop counters, must still create their own directories).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { simBin } from "../../src/sim/index.js";
import { newSim, simBuilt, skipMessage } from "./helpers.js";

describe.skipIf(!simBuilt)(`lock-directory tools pass other paths to the system (${simBuilt ? "built" : skipMessage})`, () => {
  const sim = newSim(["pve1"]);
  const scratch = mkdtempSync(join(tmpdir(), "pmx-lock-tools-"));
  afterAll(() => {
    sim.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("mkdir, touch and rmdir outside /etc/pve/priv/lock act on the real filesystem", () => {
    const d = join(scratch, "a");
    execFileSync(simBin(sim.dir, "mkdir"), [d]);
    expect(existsSync(d)).toBe(true);
    execFileSync(simBin(sim.dir, "touch"), [join(d, "f")]);
    expect(existsSync(join(d, "f"))).toBe(true);
    rmSync(join(d, "f"));
    execFileSync(simBin(sim.dir, "rmdir"), [d]);
    expect(existsSync(d)).toBe(false);
    // mkdir of an existing directory fails as coreutils does (the SSH drop counters rely on it).
    execFileSync(simBin(sim.dir, "mkdir"), [d]);
    expect(() => execFileSync(simBin(sim.dir, "mkdir"), [d], { stdio: "ignore" })).toThrow();
  });
});
