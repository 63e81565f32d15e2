// `pmxform force-unlock LOCK_ID`: removes a state lock left behind by a run that died.
import { error } from "../diag/diagnostic.js";
import { statePathOf, type CommonOptions } from "../engine/session.js";
import { forceUnlock } from "../state/store.js";
import { printDiagnostics } from "./output-format.js";

export async function run(opts: CommonOptions, args: string[]): Promise<number> {
  const id = args[0] ?? "";
  try {
    await forceUnlock(statePathOf(opts), id);
  } catch (e) {
    printDiagnostics([error("Failed to unlock the state", e instanceof Error ? e.message : String(e))], opts);
    return 1;
  }
  process.stdout.write("pmxform state has been successfully unlocked!\n\nThe state has been unlocked, and pmxform commands should now be able to obtain a new lock on the state.\n");
  return 0;
}
