// Errors of the state layer. Both carry text meant for the user: commands turn them into
// diagnostics (summary + detail) without adding anything.

import { hostname } from "node:os";
import { error, type Diagnostic, type Range } from "../diag/diagnostic.js";
import { STALE_LOCK_MS, processAlive, type LockInfo } from "./lock-info.js";

/** The state file cannot be used as it is (unreadable, invalid, unsafe permissions, newer format). */
export class StateError extends Error {
  constructor(
    message: string,
    readonly path: string,
    /** Where in the state file the problem is, when the file is one the user can open. */
    readonly subject?: Range,
  ) {
    super(message);
    this.name = "StateError";
  }
}

/**
 * A failure of the state layer as the diagnostic a command prints: the lock holder's own summary,
 * or `summary` with the error's text (which ends with the fix) and the place in the file.
 */
export function stateDiagnostic(summary: string, e: unknown): Diagnostic {
  if (e instanceof StateLockedError) return error(e.summary, e.detail);
  if (e instanceof StateError) return error(summary, e.message, e.subject);
  return error(summary, e instanceof Error ? e.message : String(e));
}

/** Another run holds the state lock and did not release it within the lock timeout. */
export class StateLockedError extends Error {
  readonly summary = "Error acquiring the state lock";
  readonly detail: string;
  constructor(
    readonly path: string,
    readonly holder: LockInfo | null,
  ) {
    const detail = describeHolder(path, holder);
    super(`Error acquiring the state lock\n\n${detail}`);
    this.name = "StateLockedError";
    this.detail = detail;
  }
}

/** The local backend locks a file path; other backends pass their description. */
const isFile = (path: string): boolean => path.startsWith("/");

function describeHolder(path: string, h: LockInfo | null): string {
  const lines: string[] = [];
  if (h) {
    lines.push(
      "Lock Info:",
      `  ID:        ${h.id}`,
      `  Path:      ${h.path}`,
      `  Operation: ${h.operation}`,
      `  Who:       ${h.who} (pid ${h.pid})`,
      `  Version:   ${h.version}`,
      `  Created:   ${h.created}`,
      "",
    );
    if (h.host === hostname() && !processAlive(h.pid)) {
      lines.push(
        `The process that took this lock (pid ${h.pid}) is no longer running. Its lock becomes stale ${STALE_LOCK_MS / 1000} s after its last refresh and is then taken over automatically: retry, or wait with --lock-timeout 15s.`,
        "",
      );
    }
  } else if (isFile(path)) {
    lines.push(`The lock ${path}.lock exists but its holder did not leave a readable ${path}.lock.info (it may be starting up right now).`, "");
  } else {
    lines.push(`The lock in ${path} is held, but its holder's record could not be read (it may be starting up right now).`, "");
  }
  lines.push(
    "pmxform locks the state so that two runs cannot change it at once. Wait for the other run to finish and try again, or pass --lock-timeout 30s to wait for it.",
    "If you are sure no other run is active, remove the lock with:",
    h ? `  pmxform force-unlock ${h.id}` : isFile(path) ? `  rm -r ${path}.lock` : "  (retry first: the holder's ID is shown once its record is readable)",
  );
  return lines.join("\n");
}
