// readBounded: the one read of a configuration file or file() argument, bounded whatever the file is.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readBounded } from "../../src/config/read-bounded.js";

const dir = mkdtempSync(join(tmpdir(), "pmxform-read-"));

describe("readBounded", () => {
  it("reads regular files of every size around the bound exactly", () => {
    for (const size of [0, 1, 2, 4095, 4096, 1 << 20, (1 << 20) + 3]) {
      const path = join(dir, `f${size}`);
      const data = Buffer.alloc(size, size % 251);
      writeFileSync(path, data);
      const r = readBounded(path, 1 << 21);
      expect("bytes" in r && r.bytes.equals(data), `size ${size}`).toBe(true);
      const exact = readBounded(path, size);
      expect("bytes" in exact && exact.bytes.equals(data), `size ${size} at its own bound`).toBe(true);
      if (size > 0) expect(readBounded(path, size - 1)).toEqual({ problem: "too-large", size });
    }
  });

  it("reads a file whose size fstat reports as 0 to its end (/proc), and refuses it past the bound", () => {
    const r = readBounded("/proc/self/status", 1 << 20);
    expect("bytes" in r && r.bytes.toString("utf8")).toContain("Name:");
    const small = readBounded("/proc/self/status", 10);
    expect(small).toMatchObject({ problem: "too-large" });
  });

  it("refuses a FIFO and a device without blocking, and names a directory", () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(readBounded(fifo, 100)).toEqual({ problem: "not-regular" });
    expect(readBounded("/dev/zero", 100)).toEqual({ problem: "not-regular" });
    expect(() => readBounded(dir, 100)).toThrow(expect.objectContaining({ code: "EISDIR" }));
    expect(readFileSync(join(dir, "f1")).length).toBe(1);
  });
});
