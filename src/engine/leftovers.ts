// Leftovers of interrupted steps that their provider can remove (a killed pull's temporary
// archive): the plan reports them, apply removes them before its first operation (before a new
// pull could write the same file) and drops the intent; a failed removal keeps the intent.
import type { Diagnostic } from "../diag/diagnostic.js";
import { warning } from "../diag/diagnostic.js";
import type { ProviderRegistry } from "../provider/registry.js";
import type { ResourceType } from "../provider/types.js";
import type { Intent } from "../state/types.js";
import { parseAddress } from "./address.js";
import { recordedIntent } from "./identity.js";
import type { StateHolder } from "./state-holder.js";
import type { Targets } from "./targets.js";

const recorded = recordedIntent;

function typeOf(registry: ProviderRegistry, i: Intent): ResourceType | undefined {
  const p = parseAddress(i.address);
  return p ? registry.resourceType(p.type) : undefined;
}

/** For the plan: what the next apply will remove (pure). */
export function leftoverWarnings(registry: ProviderRegistry, intents: readonly Intent[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const i of intents) {
    const what = typeOf(registry, i)?.leftover?.(recorded(i));
    if (what) out.push(warning("Leftover of an interrupted run", `${i.address}: ${what} is still there; the next apply removes it.`, undefined, i.address));
  }
  return out;
}

export async function removeLeftovers(opts: { registry: ProviderRegistry; state: StateHolder; targets: Targets; signal: AbortSignal; out(line: string): void }): Promise<void> {
  let removed = false;
  for (const i of [...(opts.state.file.intents ?? [])]) {
    const type = typeOf(opts.registry, i);
    const what = type?.leftover?.(recorded(i));
    if (!what || !type?.removeLeftover) continue;
    const ctx = {
      runnerFor: opts.targets.runnerFor,
      pveRootFor: opts.targets.pveRootFor,
      snapshot: undefined,
      log: (m: string) => opts.out(`${i.address}: ${m}`),
      recordIntent: async () => undefined,
      forgetIntent: async () => undefined,
      lineage: opts.state.file.lineage,
      signal: opts.signal,
    };
    try {
      await type.removeLeftover({ address: i.address, intent: recorded(i) }, ctx);
      opts.state.dropIntent(i);
      removed = true;
      opts.out(`${i.address}: removed ${what}`);
    } catch (e) {
      opts.out(`${i.address}: could not remove ${what} (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); it stays recorded for the next run`);
    }
  }
  if (removed) await opts.state.save();
}
