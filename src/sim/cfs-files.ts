// Files and directories in the simulated pmxcfs private tree (DIR/etc/pve/priv), with the rules
// pmxcfs applies to every write there, for the coreutils a pmxform state backend sends:
// - without quorum every change fails with EACCES (dcdb.c dcdb_deliver refuses writes when
//   !cfs_is_quorate(); cfs-plug-memdb.c tree_entry_stat shows the tree read-only);
// - no file may grow past MEMDB_MAX_FILE_SIZE, 1 MiB (memdb.h; memdb.c memdb_pwrite returns EFBIG
//   for offset + count > 1 MiB and keeps what earlier writes of the same open put there);
// - rename replaces its target in one step under the memdb mutex (memdb.c memdb_rename unlinks the
//   target and links the source in one bdb_backend_write), never for a lock directory, and only
//   empty directories move (unlink_tree_entry's ENOTEMPTY);
// - rmdir of a non-empty directory is ENOTEMPTY (memdb.c memdb_delete).
// Lock directories (priv/lock/<name>) keep their own rules in cfs-lock.ts.
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { paths, type Ctx } from "./ctx.js";
import { lockNameOf } from "./cfs-path.js";

/** pve-cluster src/pmxcfs/memdb.h MEMDB_MAX_FILE_SIZE (the same limit cluster.ts applies to CT configs). */
export const MEMDB_MAX_FILE_SIZE = 1024 * 1024;

export type CfsErrno = "EACCES" | "ENOENT" | "EEXIST" | "ENOTDIR" | "EISDIR" | "ENOTEMPTY" | "EFBIG";

const onDisk = (ctx: Ctx, rel: string): string => join(paths.pveDir(ctx.dir), rel);

function kind(p: string): "dir" | "file" | undefined {
  try {
    return statSync(p).isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

/** mkdir (with -p: each missing parent too, an existing directory is fine). */
export function cfsMkdir(ctx: Ctx, rel: string, parents: boolean): CfsErrno | undefined {
  const p = onDisk(ctx, rel);
  const k = kind(p);
  if (k === "dir" && parents) return undefined;
  if (!ctx.cfg.quorate) return "EACCES";
  if (k) return "EEXIST";
  const parent = dirname(p);
  if (kind(parent) === "file") return "ENOTDIR";
  if (!kind(parent)) {
    if (!parents) return "ENOENT";
    mkdirSync(parent, { recursive: true });
  }
  mkdirSync(p);
  return undefined;
}

export function cfsRmdir(ctx: Ctx, rel: string): CfsErrno | undefined {
  if (!ctx.cfg.quorate) return "EACCES";
  const p = onDisk(ctx, rel);
  const k = kind(p);
  if (!k) return "ENOENT";
  if (k === "file") return "ENOTDIR";
  if (readdirSync(p).length > 0) return "ENOTEMPTY";
  rmdirSync(p);
  return undefined;
}

export function cfsUnlink(ctx: Ctx, rel: string): CfsErrno | undefined {
  const p = onDisk(ctx, rel);
  const k = kind(p);
  if (!k) return "ENOENT";
  if (!ctx.cfg.quorate) return "EACCES";
  if (k === "dir") return "EISDIR";
  unlinkSync(p);
  return undefined;
}

/** rename(2): the target, if any, is replaced in the same step; readers see the old or the new file. */
export function cfsRename(ctx: Ctx, fromRel: string, toRel: string): CfsErrno | undefined {
  const from = onDisk(ctx, fromRel);
  const to = onDisk(ctx, toRel);
  const k = kind(from);
  if (!k) return "ENOENT";
  if (!ctx.cfg.quorate) return "EACCES";
  // memdb_rename: "we do not allow rename for locks"
  if (k === "dir" && lockNameOf(fromRel)) return "EACCES";
  if (k === "dir" && readdirSync(from).length > 0) return "ENOTEMPTY";
  const target = kind(to);
  if (target === "dir" && readdirSync(to).length > 0) return "ENOTEMPTY";
  if (target === "dir" && k === "file") return "EISDIR";
  if (!kind(dirname(to))) return "ENOENT";
  renameSync(from, to);
  return undefined;
}

/**
 * `dd of=FILE`: the open truncates, then blocks of `bs` bytes are written in turn; the block that
 * would end past 1 MiB fails with EFBIG and the file keeps the blocks written before it.
 */
export function cfsWriteFile(ctx: Ctx, rel: string, data: Buffer, bs: number): CfsErrno | undefined {
  const p = onDisk(ctx, rel);
  if (!ctx.cfg.quorate) return "EACCES";
  if (kind(p) === "dir") return "EISDIR";
  if (!existsSync(dirname(p))) return "ENOENT";
  const fd = openSync(p, "w", 0o600);
  try {
    ftruncateSync(fd, 0);
    for (let off = 0; off < data.length; off += bs) {
      const end = Math.min(off + bs, data.length);
      if (end > MEMDB_MAX_FILE_SIZE) return "EFBIG";
      writeSync(fd, data, off, end - off, off);
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
