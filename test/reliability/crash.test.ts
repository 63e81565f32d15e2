// Crash safety end to end: apply SIGKILLed at random moments against the simulator, then one
// more apply must converge with nothing leaked. CI runs a few trials; `npm run test:soak` runs
// PMXFORM_CRASH_TRIALS (200) of them. PMXFORM_CRASH_SEED replays a run.
import { describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT } from "../e2e/helpers.js";
import { runCrashTrials } from "./crash-harness.js";

const TRIALS = Number(process.env.PMXFORM_CRASH_TRIALS ?? 5);
const SEED = Number(process.env.PMXFORM_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe.skipIf(!BUILT)(`apply killed with SIGKILL${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  it(`converges after every kill and leaks nothing (${TRIALS} trials, seed ${SEED})`, { timeout: 120_000 + TRIALS * 90_000 }, async () => {
    const verbose = process.env.PMXFORM_CRASH_VERBOSE === "1";
    const stats = await runCrashTrials({ trials: TRIALS, seed: SEED, log: (l) => verbose && process.stdout.write(`${l}\n`) });
    const phases = Object.entries(stats.phases)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    process.stdout.write(
      `crash test seed ${stats.seed}: trials ${stats.trials}, converged ${stats.converged}, leaks ${stats.leaks}` +
        ` (killed during: ${phases}; whole process group ${stats.groupKills}; adopted ${stats.adopted}; completed destroys ${stats.completedDestroys}; deposed destroyed ${stats.deposedDestroyed}; placeholders cleared by hand ${stats.placeholdersCleared}; stale locks removed ${stats.unlocks})\n`,
    );
    expect(stats.failure).toBeUndefined();
    expect(stats.converged).toBe(TRIALS);
    expect(stats.leaks).toBe(0);
  });
});
