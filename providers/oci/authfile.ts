// Registry credentials for skopeo: username + password go into a temporary auth file (mode 0600,
// placed on the node by src/exec/place-file.ts) and never into argv.
import { withFileOnTarget } from "../../src/exec/place-file.js";
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
export function withAuthfile<T>(run: Runner, registry: string, c: Credentials, signal: AbortSignal | undefined, fn: (path: string) => Promise<T>): Promise<T> {
  return withFileOnTarget(run, authJson(registry, c), { purpose: "auth", redact: secretsOf(c), ...(signal ? { signal } : {}) }, fn);
}
