// Client-side encryption of state and plan files (optional), in OpenTofu's spirit: a key from a
// passphrase (PBKDF2-HMAC-SHA256, 600,000 iterations, OWASP's figure) or from a key file, AES-256-GCM,
// the header authenticated with the data. An encrypted file is a small JSON envelope, so every
// backend stores it as it stores a plain state. Decisions:
// - decoding never guesses: an envelope needs a key that opens it, a plain state needs an explicit
//   `fallback { unencrypted = true }` (migration) once encryption is configured;
// - nothing here writes: a wrong key or a bad configuration fails before the caller saves anything
//   (OpenTofu once wrote an empty state in that case);
// - the derived key is cached per salt for the run, so a run pays the derivation once, not per save.
import { createCipheriv, createDecipheriv, createHash, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";

const pbkdf2Async = promisify(pbkdf2);

export const ENVELOPE_MARK = "pmxform_encrypted";
const ITERATIONS = 600_000;
/** A file may name another count (written by a later version); far outside these it is hostile (a hang). */
const MIN_ITERATIONS = 100_000;
const MAX_ITERATIONS = 10_000_000;

/** Where a key comes from. A key file holds at least 32 bytes of key material (its SHA-256 is the key). */
export type KeySource = { passphrase: string } | { keyFile: Buffer; keyFilePath: string };

export interface EncryptionConfig {
  /** How new files are written: a key, or plain (only to migrate back, refused when enforced). */
  primary: KeySource | "unencrypted";
  /** Also accepted when reading (an old key, or plain files while migrating to encryption). */
  fallback?: KeySource | "unencrypted";
  /** Refuse to write anything unencrypted. */
  enforced: boolean;
}

interface Envelope {
  [ENVELOPE_MARK]: 1;
  method: "aes-256-gcm";
  kdf: { name: "pbkdf2-sha256"; iterations: number; salt: string } | { name: "key-file" };
  /** First 8 hex of SHA-256 over the key: says which key a file needs without revealing it. */
  key_id: string;
  iv: string;
  tag: string;
  data: string;
}

/** Raised for every failure to read or write under the encryption settings: a message for the user. */
export class EncryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EncryptionError";
  }
}

const keyId = (key: Buffer): string => createHash("sha256").update(key).digest("hex").slice(0, 8);
const describe = (s: KeySource | "unencrypted"): string => (s === "unencrypted" ? "unencrypted" : "passphrase" in s ? "the passphrase" : `the key file ${s.keyFilePath}`);

export function isEnvelope(bytes: Buffer): boolean {
  // Cheap check on the first bytes: a plain state starts with {"version" ... or whitespace.
  const head = bytes.subarray(0, 64).toString("utf8");
  return head.includes(`"${ENVELOPE_MARK}"`);
}

/** Checks a configuration before anything is read or written. */
export function checkEncryptionConfig(cfg: EncryptionConfig): void {
  if (cfg.enforced && cfg.primary === "unencrypted")
    throw new EncryptionError("Encryption is enforced, so files cannot be written unencrypted. Remove enforced = true to migrate back to plain files, or configure a passphrase or key_file.");
  for (const s of [cfg.primary, cfg.fallback]) {
    if (!s || s === "unencrypted") continue;
    if ("passphrase" in s && s.passphrase.length < 16)
      throw new EncryptionError("The encryption passphrase is shorter than 16 characters. Use a longer passphrase (a random one from a password manager).");
    if ("keyFile" in s && s.keyFile.length < 32)
      throw new EncryptionError(`The key file ${s.keyFilePath} holds ${s.keyFile.length} bytes; it needs at least 32 bytes of random data (head -c 32 /dev/urandom > FILE).`);
  }
}

export class Encryptor {
  /** Derived keys of each passphrase, by iterations and salt, for this run. */
  private readonly derived = new Map<KeySource, Map<string, Promise<Buffer>>>();
  private writeSalt: string | undefined;

  constructor(private readonly cfg: EncryptionConfig) {
    checkEncryptionConfig(cfg);
  }

  private keyFor(source: KeySource, salt: string | undefined, iterations = ITERATIONS): Promise<Buffer> {
    if ("keyFile" in source) return Promise.resolve(createHash("sha256").update(source.keyFile).digest());
    const cacheKey = `${iterations}:${salt!}`;
    let mine = this.derived.get(source);
    if (!mine) this.derived.set(source, (mine = new Map<string, Promise<Buffer>>()));
    let k = mine.get(cacheKey);
    if (!k) {
      k = pbkdf2Async(source.passphrase, Buffer.from(salt!, "base64"), iterations, 32, "sha256");
      mine.set(cacheKey, k);
    }
    return k;
  }

  /** The plaintext of a stored file (state or plan), or an EncryptionError saying what key it needs. */
  async decode(bytes: Buffer, what: string): Promise<Buffer> {
    return (await this.decodeWithSource(bytes, what)).plain;
  }

  /**
   * decode, also saying whether the file is as `encode` would write it now (primary setting): a
   * state read through the fallback (plain while migrating to encryption, an old key, or
   * encrypted while migrating back) is rewritten by the next save even when unchanged.
   */
  async decodeWithSource(bytes: Buffer, what: string): Promise<{ plain: Buffer; primary: boolean }> {
    if (!isEnvelope(bytes)) {
      if (this.cfg.primary === "unencrypted" || this.cfg.fallback === "unencrypted") return { plain: bytes, primary: this.cfg.primary === "unencrypted" };
      throw new EncryptionError(
        `The ${what} is not encrypted, but the configuration encrypts. To encrypt an existing ${what}, add fallback { unencrypted = true } to the encryption block for one apply, then remove it.`,
      );
    }
    let env: Envelope;
    try {
      env = JSON.parse(bytes.toString("utf8")) as Envelope;
    } catch {
      throw new EncryptionError(`The encrypted ${what} is damaged (its envelope is not valid JSON). Restore it from the backup.`);
    }
    const sources = [this.cfg.primary, this.cfg.fallback].filter((s): s is KeySource => !!s && s !== "unencrypted");
    if (sources.length === 0) throw new EncryptionError(`The ${what} is encrypted, but no key is configured. Add the encryption block with the passphrase or key_file it was written with.`);
    for (const source of sources) {
      const usable = env.kdf.name === ("passphrase" in source ? "pbkdf2-sha256" : "key-file");
      if (!usable) continue;
      if (env.kdf.name === "pbkdf2-sha256" && !(Number.isInteger(env.kdf.iterations) && env.kdf.iterations >= MIN_ITERATIONS && env.kdf.iterations <= MAX_ITERATIONS)) {
        throw new EncryptionError(
          `The encrypted ${what} asks for ${String(env.kdf.iterations)} key-derivation iterations, outside ${MIN_ITERATIONS}..${MAX_ITERATIONS}: it was not written by pmxform. Restore it from the backup.`,
        );
      }
      const key = await this.keyFor(source, env.kdf.name === "pbkdf2-sha256" ? env.kdf.salt : undefined, env.kdf.name === "pbkdf2-sha256" ? env.kdf.iterations : undefined);
      if (keyId(key) !== env.key_id) continue;
      try {
        const d = createDecipheriv("aes-256-gcm", key, Buffer.from(env.iv, "base64"));
        d.setAAD(Buffer.from(JSON.stringify([env.method, env.kdf, env.key_id])));
        d.setAuthTag(Buffer.from(env.tag, "base64"));
        const plain = Buffer.concat([d.update(Buffer.from(env.data, "base64")), d.final()]);
        if (env.kdf.name === "pbkdf2-sha256" && env.kdf.iterations === ITERATIONS && source === this.cfg.primary) this.writeSalt ??= env.kdf.salt;
        return { plain, primary: source === this.cfg.primary };
      } catch {
        throw new EncryptionError(`The encrypted ${what} failed its integrity check: it was changed or damaged after it was written. Restore it from the backup.`);
      }
    }
    throw new EncryptionError(
      `The ${what} is encrypted with a key that the configuration does not have (key id ${env.key_id}; tried ${sources.map(describe).join(" and ")}). Use the passphrase or key file it was written with; to change keys, give the old one as fallback for one apply.`,
    );
  }

  /** What to store for this plaintext under the primary setting. */
  async encode(plain: Buffer): Promise<Buffer> {
    const source = this.cfg.primary;
    if (source === "unencrypted") return plain;
    let kdf: Envelope["kdf"];
    if ("passphrase" in source) {
      this.writeSalt ??= randomBytes(16).toString("base64");
      kdf = { name: "pbkdf2-sha256", iterations: ITERATIONS, salt: this.writeSalt };
    } else kdf = { name: "key-file" };
    const key = await this.keyFor(source, "salt" in kdf ? kdf.salt : undefined);
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", key, iv);
    const id = keyId(key);
    c.setAAD(Buffer.from(JSON.stringify(["aes-256-gcm", kdf, id])));
    const data = Buffer.concat([c.update(plain), c.final()]);
    const env: Envelope = { [ENVELOPE_MARK]: 1, method: "aes-256-gcm", kdf, key_id: id, iv: iv.toString("base64"), tag: c.getAuthTag().toString("base64"), data: data.toString("base64") };
    return Buffer.from(JSON.stringify(env) + "\n");
  }
}
