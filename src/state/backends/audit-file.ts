// The audit log as a file beside a local state (`<state>.audit.jsonl`): opened O_APPEND|O_NOFOLLOW
// so a record is added in one write at the end and never through a planted link, then fsynced
// (and the directory too when the file is new) before the run reports success.
import { closeSync, constants, fsync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { StateError } from "../errors.js";
import { refuseLink } from "../no-follow.js";
import type { AuditLogStorage } from "./types.js";

const fsyncAsync = promisify(fsync);

export class FileAuditLog implements AuditLogStorage {
  readonly description: string;
  constructor(readonly path: string) {
    this.description = `file ${path}`;
  }

  async lines(): Promise<string[]> {
    let text: string;
    try {
      refuseLink(this.path, "the audit log");
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    // A final line without its newline is a write cut short: it is still a line (verify names it).
    return text.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1);
  }

  async append(next: (lines: readonly string[]) => string): Promise<void> {
    const before = await this.lines();
    const line = next(before);
    if (line.includes("\n")) throw new Error("bug: an audit record must be one line");
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ELOOP") refuseLink(this.path, "the audit log");
      throw new StateError(`Cannot open the audit log ${this.path}: ${(err as Error).message}. Check the directory's permissions.`, this.path);
    }
    try {
      // A damaged last line without its newline would swallow this record: end it first.
      const text = before.length && !endsWithNewline(this.path) ? `\n${line}\n` : `${line}\n`;
      writeSync(fd, text, null, "utf8");
      await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    if (!before.length) {
      const dir = openSync(dirname(this.path), "r");
      try {
        await fsyncAsync(dir);
      } finally {
        closeSync(dir);
      }
    }
  }
}

function endsWithNewline(path: string): boolean {
  const text = readFileSync(path);
  return text.length === 0 || text.at(-1) === 0x0a;
}
