// Creating the files pmxform writes next to the state (temp files, backup, lock info, plan and
// generated config files) without following a symbolic link someone planted at their names:
// temp files get an unpredictable name and are opened with O_CREAT|O_EXCL (which never follows a
// link), and a link found at a name pmxform itself writes is refused with a message, not written
// through. The state path the user gives may be a link (docs/decisions.md); these names may not.
import { randomBytes } from "node:crypto";
import { closeSync, lstatSync, openSync, readlinkSync, renameSync, writeSync } from "node:fs";
import { StateError } from "./errors.js";

/** Throws a StateError when `path` is a symbolic link; `what` names the file for the user. */
export function refuseLink(path: string, what: string): void {
  let link: string | undefined;
  try {
    if (lstatSync(path).isSymbolicLink()) link = readlinkSync(path);
  } catch {
    return; // absent: it will be created (exclusively)
  }
  if (link !== undefined) {
    throw new StateError(
      `Refusing to write ${what} ${path}: it is a symbolic link (to ${link}). pmxform creates this file itself and never writes through a link it did not make. Remove the link (rm ${path}) and run again.`,
      path,
    );
  }
}

/** Opens a new temp file beside `path` with an unpredictable name, exclusively (never an existing file or link). */
export function openExclusiveTemp(path: string, mode: number): { tmp: string; fd: number } {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  return { tmp, fd: openSync(tmp, "wx", mode) };
}

/** Writes a small file by temp file + rename (no fsync: for information files such as the lock info). */
export function replaceFileSync(path: string, what: string, content: string, mode: number): void {
  refuseLink(path, what);
  const { tmp, fd } = openExclusiveTemp(path, mode);
  try {
    writeSync(fd, content, null, "utf8");
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Whether anything, a dangling link included, is at `path` (existsSync says no for a dangling link, and a write would follow it). */
export function pathTaken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
