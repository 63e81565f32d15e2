// The temporary file an image pull writes before it lands by rename, named in one place: a
// killed pull's leftover is recognised by this naming alone (never a finished archive).

/** Where the pull of the archive at `archivePath` writes first. */
export function pullTemporaryPath(archivePath: string): string {
  return `${archivePath}.tmp`;
}

/**
 * Whether `path` is a temporary file only pmxform's pull writes: an absolute path in a template
 * storage's `template/cache` directory whose name is an archive name (`.tar`) plus `.tmp`.
 */
export function isPullTemporary(path: string): boolean {
  if (path.split("/").some((seg) => seg === "." || seg === "..")) return false;
  return /^\/(?:[^/\0\n]+\/)*template\/cache\/[A-Za-z0-9_.-]+\.tar\.tmp$/.test(path);
}

/** Removes such a file; a file already gone is fine. */
export function removeTemporaryArgv(path: string): string[] {
  return ["rm", "-f", "--", path];
}
