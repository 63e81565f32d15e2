// Reading the state without a lock, and decrypting saved plans, for the commands that only show
// (show, output, state list/show): through the configured backend, workspace and encryption.
import type { Diagnostic } from "../diag/diagnostic.js";
import { contextOf, loadContextSource } from "../engine/backend-context.js";
import type { CommonOptions } from "../engine/session.js";
import { encryptorOf, openStore } from "../state/context.js";
import { EncryptionError } from "../state/encryption.js";
import { stateDiagnostic } from "../state/errors.js";
import type { StateFile } from "../state/types.js";

export async function readStateOnly(opts: CommonOptions, operation: string): Promise<{ state?: StateFile | null; diagnostics: Diagnostic[]; sources?: ReadonlyMap<string, string> }> {
  const c = await contextOf({ opts });
  if (!c.ctx) return { diagnostics: c.diagnostics, sources: c.sources };
  try {
    const store = await openStore(c.ctx, { lock: false, lockTimeoutMs: 0, operation });
    try {
      return { state: await store.read(), diagnostics: [] };
    } finally {
      await store.release();
    }
  } catch (e) {
    return { diagnostics: [stateDiagnostic("Error reading the state", e)] };
  }
}

/** Decrypts an encrypted plan file with the working directory's encryption block. */
export function planDecryptor(opts: CommonOptions, path: string): (bytes: Buffer) => Promise<Buffer> {
  return async (bytes) => {
    const s = await loadContextSource(opts);
    if (!s.source) throw new EncryptionError(`The plan file ${path} is encrypted, and the configuration cannot be loaded to find its key: ${s.diagnostics.map((d) => d.summary).join("; ")}.`);
    const e = encryptorOf(s.source);
    if (!e.encryption)
      throw new EncryptionError(
        `The plan file ${path} is encrypted, but ${e.diagnostics.length ? `the encryption block is invalid (${e.diagnostics.map((d) => d.detail ?? d.summary).join("; ")})` : "the configuration has no encryption block"}. Use the configuration that wrote it.`,
      );
    return e.encryption.decode(bytes, `plan file ${path}`);
  };
}
