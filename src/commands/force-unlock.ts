// `pmxform force-unlock LOCK_ID`: removes a state lock left behind by a run that died, in the
// configured backend and the selected workspace (pg: ends the holder's session, which frees it).
import { contextOf } from "../engine/backend-context.js";
import type { CommonOptions } from "../engine/session.js";
import { stateDiagnostic } from "../state/errors.js";
import { printDiagnostics } from "./output-format.js";

export async function run(opts: CommonOptions, args: string[]): Promise<number> {
  const id = args[0] ?? "";
  const c = await contextOf({ opts });
  if (!c.ctx) return (printDiagnostics(c.diagnostics, opts, c.sources), 1);
  try {
    await c.ctx.backend.forceUnlock(c.ctx.workspace, id);
  } catch (e) {
    printDiagnostics([stateDiagnostic("Failed to unlock the state", e)], opts);
    return 1;
  } finally {
    await c.ctx.backend.close();
  }
  process.stdout.write("pmxform state has been successfully unlocked!\n\nThe state has been unlocked, and pmxform commands should now be able to obtain a new lock on the state.\n");
  return 0;
}
