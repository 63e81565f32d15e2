// Last-resort handler: an exception reaching the CLI is a pmxform bug (the state layer's
// StateError excepted: its text is for the user). Say so plainly, keep the stack out of the
// user's face unless PMXFORM_DEBUG is set.
import { DiagnosticsError, error } from "../diag/diagnostic.js";
import { StateError } from "../state/errors.js";
import { renderHuman } from "../diag/render.js";

export function reportCrash(e: unknown): number {
  if (e instanceof DiagnosticsError) {
    process.stderr.write(renderHuman(e.diagnostics, { color: false }) + "\n");
    return 1;
  }
  if (e instanceof StateError) {
    // Its text is written for the user (a file pmxform refuses to read or write), not a bug.
    process.stderr.write(renderHuman([error("Refusing to use a pmxform file", e.message)], { color: false }) + "\n");
    return 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(
    `Error: internal error in pmxform: ${msg}\n\nThis is a bug in pmxform, not in your configuration. ` + `Please report it with the command you ran; set PMXFORM_DEBUG=1 to see the stack trace.\n`,
  );
  if (process.env.PMXFORM_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + "\n");
  return 1;
}
