// `pmxform destroy`: plans the destruction of everything in state and applies it after approval.
import type { ApplyOpts } from "./apply.js";
import { applyFresh } from "./apply.js";

export async function run(opts: ApplyOpts): Promise<number> {
  return applyFresh(opts, true);
}
