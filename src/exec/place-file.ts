// Placing a file on the host a runner reaches, for tools that take a path (pct create
// --ssh-public-keys, pct push, skopeo --authfile): the path must exist on the node the command
// runs on, which over SSH is not the machine running pmxform. So the file is made there with
// mktemp (mode 0600, an unpredictable name), filled through stdin (the content never appears in
// an argv) and removed when the caller is done, whatever happened. The same argv works on every
// runner: local, SSH and the simulator.
import type { Runner } from "./runner.js";

export interface PlaceFileOptions {
  /** A word for the file's name ("keys" -> pmxform-keys.XXXXXXXX), so a leftover says what it was. */
  purpose: string;
  signal?: AbortSignal;
  /** Secrets in the content, redacted from any error. */
  redact?: readonly string[];
}

/** mktemp's template: letters and digits only in the purpose, so the argv stays a plain word. */
export function placedFileTemplate(purpose: string): string {
  const word = purpose.replace(/[^A-Za-z0-9-]/g, "") || "file";
  return `pmxform-${word}.XXXXXXXX`;
}

/** Runs fn with the path of a temporary file holding `content` on the runner's host; always removes it. */
export async function withFileOnTarget<T>(run: Runner, content: string, opts: PlaceFileOptions, fn: (path: string) => Promise<T>): Promise<T> {
  const signal = opts.signal ? { signal: opts.signal } : {};
  const redact = opts.redact ? { redact: [...opts.redact] } : {};
  const made = await run.run(["mktemp", "-t", placedFileTemplate(opts.purpose)], signal);
  const path = made.stdout.trim();
  if (!path.startsWith("/") || path.includes("\n")) throw new Error(`mktemp on ${run.description} printed no usable path for a temporary file: ${JSON.stringify(made.stdout)}`);
  try {
    // mktemp creates the file with mode 0600; dd truncates it in place and keeps that mode.
    await run.run(["dd", `of=${path}`, "status=none"], { stdin: content, ...redact, ...signal });
    return await fn(path);
  } finally {
    // Not under the caller's signal: an interrupted run still removes what it placed.
    await run.run(["rm", "-f", "--", path]).catch(() => undefined);
  }
}
