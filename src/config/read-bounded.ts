// Reads a file the configuration names (a configuration file, or a file() argument) with a size
// bound that holds whatever the file is: a device such as /dev/zero reports size 0 and never ends,
// a FIFO blocks on open, a regular file can grow while read. Only regular files are read, opened
// without blocking, and never more than `max` bytes.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** Configuration files larger than this are refused (the 20 MB test configuration fits). */
export const MAX_CONFIG_FILE_BYTES = 64 * 1024 * 1024;
/** file(), filebase64() and templatefile() read at most this much (a value, not a data store). */
export const MAX_FUNCTION_FILE_BYTES = 16 * 1024 * 1024;

export type BoundedRead = { bytes: Buffer } | { problem: "not-regular" | "too-large"; size?: number };

/** Throws the usual fs errors (ENOENT, EACCES, EISDIR...) for the caller to word. */
export function readBounded(path: string, max: number): BoundedRead {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: "EISDIR" });
    if (!st.isFile()) return { problem: "not-regular" };
    if (st.size > max) return { problem: "too-large", size: st.size };
    const chunks: Buffer[] = [];
    let total = 0;
    // One read into a buffer of the size fstat gave (+1 to see the end) in the usual case: a
    // 3 MB configuration was read in 1 MB chunks and copied once more by concat.
    const first = Buffer.allocUnsafe(Math.min(st.size + 1, max + 1));
    let filled = 0;
    for (let n = -1; n !== 0 && filled < first.length; filled += n) n = readSync(fd, first, filled, first.length - filled, null);
    if (filled < first.length) return { bytes: first.subarray(0, filled) };
    if (filled > max) return { problem: "too-large", size: filled };
    // The file grew while read: go on in chunks.
    chunks.push(first);
    total = filled;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > max) return { problem: "too-large", size: total };
    }
    return { bytes: Buffer.concat(chunks, total) };
  } finally {
    closeSync(fd);
  }
}
