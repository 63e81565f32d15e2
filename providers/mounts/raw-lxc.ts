// Raw `lxc.*` lines (the escape hatch pct cannot set): normalised "key: value" text, which lines
// the user owns, and the merged line list written back into the container's conf file.

/** Lines other arguments own (oci_container's working_dir/user, and the image user's groups); raw_lxc neither shows nor removes them. */
export const OWNED_ELSEWHERE: ReadonlySet<string> = new Set(["lxc.init.cwd", "lxc.init.uid", "lxc.init.gid", "lxc.init.groups"]);

/**
 * An OCI container's conf also holds the halt signal pct create took from the image's StopSignal
 * (pve-container src/PVE/LXC/Create.pm, restore_oci_archive): the image's, so raw_lxc neither
 * shows nor removes it (writing raw lines used to drop it, and `raw_lxc = []` never matched).
 */
export const OCI_OWNED: ReadonlySet<string> = new Set([...OWNED_ELSEWHERE, "lxc.signal.halt"]);

const LINE = /^(lxc\.[a-z0-9_.-]+)\s*[:=]\s*(.*?)\s*$/;

/** `lxc.key = v` or `lxc.key:v` -> ["lxc.key", "v"]; undefined when not a raw lxc line. */
export function parseRawLine(line: string): [string, string] | undefined {
  const m = LINE.exec(line.trim());
  return m ? [m[1]!, m[2]!] : undefined;
}

/** The form Proxmox writes (and reads back): "lxc.key: value". */
export function normalizeRawLine(line: string): string {
  const p = parseRawLine(line);
  return p ? `${p[0]}: ${p[1]}` : line;
}

/** The user's raw lines among a conf section's lxc entries, in file order. */
export function rawLinesOf(lxc: [string, string][], owned: ReadonlySet<string> = OWNED_ELSEWHERE): string[] {
  return lxc.filter(([k]) => !owned.has(k)).map(([k, v]) => `${k}: ${v}`);
}

/** The section's new lxc entries: lines owned elsewhere stay, the user's lines become `wanted`. */
export function mergeRawLines(lxc: [string, string][], wanted: string[], owned: ReadonlySet<string> = OWNED_ELSEWHERE): [string, string][] {
  const kept = lxc.filter(([k]) => owned.has(k));
  const added = wanted.map(parseRawLine).filter((p): p is [string, string] => p !== undefined);
  return [...kept, ...added];
}
