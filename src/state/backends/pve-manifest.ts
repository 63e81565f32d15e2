// How the pve backend lays a state out in pmxcfs, whose files may not exceed 1 MiB (pve-cluster
// src/pmxcfs/memdb.h MEMDB_MAX_FILE_SIZE) and whose whole tree is limited to 128 MiB
// (MEMDB_MAX_FSSIZE): the state is gzipped (JSON shrinks several times over, sparing the cluster's
// small database), base64-encoded (a runner carries text; any bytes survive) and cut into chunk
// files, and a manifest names the chunks with the lineage, serial and SHA-256 of the state.
// Chunk names are unique per write, so a chunk is never rewritten: a reader that holds a manifest
// either reads exactly its chunks or finds one gone (a newer write removed it) and starts over.
import { createHash, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { StateVersion } from "./types.js";

/** pmxcfs refuses a write ending past 1 MiB (memdb.c memdb_pwrite: offset + count > MEMDB_MAX_FILE_SIZE); exactly 1 MiB is allowed. */
export const CHUNK_CHARS = 1024 * 1024;

export const MANIFEST = "manifest.json";
export const MANIFEST_FORMAT = "pmxform-pve-state";

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  lineage: string;
  serial: number;
  encoding: "gzip+base64";
  /** Size and SHA-256 (hex) of the state bytes (before gzip). */
  bytes: number;
  sha256: string;
  chunks: string[];
  written_at: string;
  written_by: string;
  node: string;
}

export interface Encoded {
  manifest: Manifest;
  /** Chunk name -> its text (at most CHUNK_CHARS characters, all ASCII). */
  chunks: Map<string, string>;
}

export const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Splits a state into chunks; names carry the serial and a random word so no write reuses one. */
export function encodeState(bytes: Buffer, next: StateVersion, by: { who: string; node: string }, chunkChars = CHUNK_CHARS): Encoded {
  const text = gzipSync(bytes).toString("base64");
  const tag = `${next.serial}-${randomBytes(6).toString("hex")}`;
  const chunks = new Map<string, string>();
  for (let i = 0, off = 0; off < text.length || i === 0; i++, off += chunkChars) chunks.set(`chunk.${tag}.${i}`, text.slice(off, off + chunkChars));
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    lineage: next.lineage,
    serial: next.serial,
    encoding: "gzip+base64",
    bytes: bytes.length,
    sha256: sha256(bytes),
    chunks: [...chunks.keys()],
    written_at: new Date().toISOString(),
    written_by: by.who,
    node: by.node,
  };
  return { manifest, chunks };
}

/** The manifest's text, or an error saying what is wrong with it. */
export function parseManifest(text: string): Manifest {
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch (err) {
    throw new Error(`the manifest is not JSON (${(err as Error).message})`, { cause: err });
  }
  if (m.format !== MANIFEST_FORMAT) throw new Error(`the manifest is not a ${MANIFEST_FORMAT} manifest`);
  if (m.version !== 1) throw new Error(`the manifest has format version ${String(m.version)}, which this pmxform does not know (written by a newer pmxform?)`);
  const ok =
    typeof m.lineage === "string" &&
    Number.isInteger(m.serial) &&
    m.encoding === "gzip+base64" &&
    Number.isInteger(m.bytes) &&
    typeof m.sha256 === "string" &&
    Array.isArray(m.chunks) &&
    m.chunks.length > 0 &&
    m.chunks.every((c) => typeof c === "string" && /^chunk\.[\w-]+\.\d+$/.test(c));
  if (!ok) throw new Error("the manifest lacks a field or has one of the wrong type");
  return m as Manifest;
}

/** The state bytes from the chunks' concatenated text; null when they do not match the manifest (a mix). */
export function decodeState(m: Manifest, text: string): Buffer | null {
  let bytes: Buffer;
  try {
    bytes = gunzipSync(Buffer.from(text, "base64"));
  } catch {
    return null;
  }
  return bytes.length === m.bytes && sha256(bytes) === m.sha256 ? bytes : null;
}
