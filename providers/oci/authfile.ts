// Registry credentials for skopeo: username + password go into a temporary auth file (mode 0600,
// created on the node by mktemp, filled through stdin, removed afterwards) and never into argv.
import type { Runner } from "../../src/exec/runner.js";

export interface Credentials {
  username: string;
  password: string;
}

export function authJson(registry: string, c: Credentials): string {
  const auth = Buffer.from(`${c.username}:${c.password}`, "utf8").toString("base64");
  return JSON.stringify({ auths: { [registry]: { auth } } });
}

/** Strings that must never show in output: the password and its base64 form. */
export function secretsOf(c: Credentials | undefined): string[] {
  if (!c) return [];
  return [c.password, Buffer.from(`${c.username}:${c.password}`, "utf8").toString("base64")].filter(Boolean);
}

/** Runs fn with the path of a temporary auth file on the runner's host; always removes it. */
export async function withAuthfile<T>(run: Runner, registry: string, c: Credentials, signal: AbortSignal | undefined, fn: (path: string) => Promise<T>): Promise<T> {
  const redact = secretsOf(c);
  const made = await run.run(["mktemp", "-t", "pmxform-auth.XXXXXXXX"], signal ? { signal } : {});
  const path = made.stdout.trim();
  if (!path) throw new Error("mktemp printed no path for the temporary registry auth file");
  try {
    // mktemp creates the file with mode 0600; dd truncates it in place and keeps that mode.
    await run.run(["dd", `of=${path}`, "status=none"], { stdin: authJson(registry, c), redact, ...(signal ? { signal } : {}) });
    return await fn(path);
  } finally {
    await run.run(["rm", "-f", path]).catch(() => undefined);
  }
}
