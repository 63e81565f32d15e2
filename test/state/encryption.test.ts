// Client-side encryption of state and plan files: round trips with a passphrase and a key file,
// wrong keys and tampering refused with a message, migration from plain to encrypted and back
// through fallback, enforced, and a hostile envelope that would make the key derivation hang.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EncryptionError, Encryptor, isEnvelope, type EncryptionConfig } from "../../src/state/encryption.js";

const PASS = { passphrase: "correct horse battery staple" };
const OTHER = { passphrase: "another long passphrase here" };
const KEYFILE = { keyFile: randomBytes(32), keyFilePath: "/etc/pmxform/key" };
const STATE = Buffer.from(JSON.stringify({ version: 1, lineage: "L", serial: 3, resources: [{ address: "lxc_container.web", attributes: { password_sha256: "abc" } }] }));
const enc = (cfg: Partial<EncryptionConfig>) => new Encryptor({ primary: PASS, enforced: false, ...cfg });
const failure = async (p: Promise<unknown>): Promise<string> => {
  const e = await p.then(
    () => expect.unreachable("expected a failure"),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EncryptionError);
  return (e as Error).message;
};

describe("state encryption", () => {
  it("round-trips with a passphrase and with a key file; the stored bytes show nothing of the state", async () => {
    for (const primary of [PASS, KEYFILE]) {
      const e = enc({ primary });
      const stored = await e.encode(STATE);
      expect(isEnvelope(stored)).toBe(true);
      expect(stored.toString()).not.toContain("lxc_container");
      expect(stored.toString()).not.toContain("abc");
      expect(await new Encryptor({ primary, enforced: true }).decode(stored, "state")).toEqual(STATE);
    }
  });

  it("refuses a wrong passphrase or key file and says which key the file needs", async () => {
    const stored = await enc({}).encode(STATE);
    const msg = await failure(enc({ primary: OTHER }).decode(stored, "state"));
    expect(msg).toMatch(/encrypted with a key that the configuration does not have \(key id [0-9a-f]{8}; tried the passphrase\)/);
    expect(msg).not.toContain(OTHER.passphrase);
    expect(await failure(enc({ primary: KEYFILE }).decode(stored, "state"))).toContain("tried the key file /etc/pmxform/key");
  });

  it("detects any change of the data or its header", async () => {
    const stored = JSON.parse((await enc({}).encode(STATE)).toString()) as Record<string, unknown>;
    const data = Buffer.from(stored["data"] as string, "base64");
    data[0]! ^= 1;
    const flipped = Buffer.from(JSON.stringify({ ...stored, data: data.toString("base64") }));
    expect(await failure(enc({}).decode(flipped, "state"))).toContain("failed its integrity check");
    const iv = Buffer.from(JSON.stringify({ ...stored, iv: randomBytes(12).toString("base64") }));
    expect(await failure(enc({}).decode(iv, "state"))).toContain("failed its integrity check");
    expect(await failure(enc({}).decode(Buffer.from('{"pmxform_encrypted":1, broken'), "state"))).toContain("damaged");
  });

  it("migrates plain -> encrypted -> plain only through an explicit fallback", async () => {
    expect(await failure(enc({}).decode(STATE, "state"))).toContain("add fallback { unencrypted = true }");
    const migrating = enc({ fallback: "unencrypted" });
    const encrypted = await migrating.encode(await migrating.decode(STATE, "state"));
    expect(isEnvelope(encrypted)).toBe(true);
    const back = new Encryptor({ primary: "unencrypted", fallback: PASS, enforced: false });
    const plain = await back.encode(await back.decode(encrypted, "state"));
    expect(plain).toEqual(STATE);
  });

  it("changes keys with the old one as fallback", async () => {
    const old = await enc({}).encode(STATE);
    const rotating = enc({ primary: OTHER, fallback: PASS });
    const rotated = await rotating.encode(await rotating.decode(old, "state"));
    expect(await enc({ primary: OTHER }).decode(rotated, "state")).toEqual(STATE);
    await failure(enc({}).decode(rotated, "state"));
  });

  it("refuses bad settings before anything is read or written", () => {
    expect(() => new Encryptor({ primary: "unencrypted", enforced: true })).toThrow(/enforced/);
    expect(() => new Encryptor({ primary: { passphrase: "short" }, enforced: false })).toThrow(/shorter than 16/);
    expect(() => new Encryptor({ primary: { keyFile: Buffer.alloc(8), keyFilePath: "k" }, enforced: false })).toThrow(/at least 32 bytes/);
  });

  it("refuses an envelope whose iteration count would make the derivation hang", async () => {
    const stored = JSON.parse((await enc({}).encode(STATE)).toString()) as { kdf: Record<string, unknown> };
    const hostile = Buffer.from(JSON.stringify({ ...stored, kdf: { ...stored.kdf, iterations: 1e12 } }));
    expect(await failure(enc({}).decode(hostile, "state"))).toContain("outside 100000..10000000");
  });
});
