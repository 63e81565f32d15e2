// What an apply says when the backend refused its state at the end (or during) the run: the state
// is in errored.pmxform.state.json, and pushing it is the way back. Nothing the run created is
// lost: the file holds every finished operation.
import { relative } from "node:path";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import type { StateStore } from "../state/store.js";
import { commandPrefix, shellWord } from "./chdir.js";

export function erroredStateDiagnostic(store: StateStore): Diagnostic {
  const e = store.errored!;
  const shown = relative(process.cwd(), e.file) || e.file;
  return error(
    "Failed to save the state",
    `The state could not be written to ${store.path}: ${e.error.message.split("\n")[0]}\n\n` +
      `The state of this run, with everything it created, changed and destroyed, is in ${shown}. ` +
      `When the backend is reachable again, push it with:\n    ${commandPrefix()}state push ${shellWord(shown)}\n` +
      "Do not run apply before that: it would plan from the backend's older state.",
  );
}
