// The OCI image config's `User` turned into lxc.init.uid / lxc.init.gid / lxc.init.groups the
// way pve-container's Create.pm `resolve_oci_user` does it (6.1.0+, commit 2c68b55 "oci create:
// honor User from OCI image config"): names and the default group are looked up in the image's
// own /etc/passwd and /etc/group; what is not found is simply not written.
import { SimError } from "./errors.js";

/** The flattened image root: file name without leading "./" or trailing "/" -> entry. */
export interface RootfsView {
  /** The text of the regular file at `path` (symlinks followed), undefined when there is none. */
  readText(path: string): string | undefined;
  /** Whether `dir` exists as a directory (explicitly or as the parent of an entry). */
  hasDir(dir: string): boolean;
}

export interface OciUser {
  uid?: string;
  gid?: string;
  /** Comma-separated supplementary gids; "" is written too (the real code writes a defined empty string). */
  groups?: string;
}

/** Perl's split(/:/, $line): trailing empty fields are dropped, so such a field is undef. */
function perlSplit(line: string, sep: string): string[] {
  const f = line.split(sep);
  while (f.length && f[f.length - 1] === "") f.pop();
  return f;
}

/** Perl reads with <$fh> and chomps: lines split at "\n" (a last line without one counts). */
function lines(text: string): string[] {
  const l = text.split("\n");
  if (l[l.length - 1] === "") l.pop();
  return l;
}

export function resolveOciUser(userstr: string, root: RootfsView): OciUser {
  const m = /^([^:]+)(?::([^:]+))?$/.exec(userstr);
  if (!m) throw new SimError("OCI config value for 'User' has an invalid format");
  const [, user, group] = m as unknown as [string, string, string | undefined];
  // abs_path('/etc/passwd') inside the chroot: a missing last component is fine (the open fails
  // later and the lookup finds nothing), a missing /etc is not (Cwd's realpath returns undef).
  if (!root.hasDir("etc")) throw new SimError("cannot resolve /etc/passwd path in container rootfs");
  const passwd = root.readText("etc/passwd");
  const groupFile = root.readText("etc/group");

  const lookup = (text: string | undefined, matchIndex: number, value: string, retIndex: number): string | undefined => {
    if (text === undefined) return undefined;
    for (const line of lines(text)) {
      const f = perlSplit(line, ":");
      if (f[matchIndex] !== undefined && f[matchIndex] === value) return f[retIndex];
    }
    return undefined;
  };
  const supplementary = (username: string): string | undefined => {
    if (groupFile === undefined) return undefined;
    const gids: string[] = [];
    for (const line of lines(groupFile)) {
      const [, , gid, members] = perlSplit(line, ":");
      if (gid === undefined || members === undefined) continue;
      if (members.split(",").includes(username)) gids.push(gid);
    }
    return gids.join(",");
  };

  const out: OciUser = {};
  let username: string | undefined;
  if (/^\d+$/.test(user)) {
    out.uid = user;
    username = lookup(passwd, 2, user, 0);
  } else {
    username = user;
    const uid = lookup(passwd, 0, user, 2);
    if (uid !== undefined) out.uid = uid;
  }
  if (group !== undefined) {
    const gid = /^\d+$/.test(group) ? group : lookup(groupFile, 0, group, 2);
    if (gid !== undefined) out.gid = gid;
  } else {
    const gid = out.uid !== undefined ? lookup(passwd, 2, out.uid, 3) : undefined;
    if (gid !== undefined) out.gid = gid;
    const groups = username !== undefined ? supplementary(username) : undefined;
    if (groups !== undefined) out.groups = groups;
  }
  return out;
}

/** The raw lxc lines, in the order restore_oci_archive pushes them (uid, gid, groups). */
export function ociUserLines(u: OciUser): [string, string][] {
  const out: [string, string][] = [];
  if (u.uid !== undefined) out.push(["lxc.init.uid", u.uid]);
  if (u.gid !== undefined) out.push(["lxc.init.gid", u.gid]);
  if (u.groups !== undefined) out.push(["lxc.init.groups", u.groups]);
  return out;
}
