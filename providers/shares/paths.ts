// Where pmxform keeps shares on a node: one Samba file per share under a directory it owns, an
// index it owns that includes each of them (the user's smb.conf includes the index, once), and one
// exports(5) file per NFS share under /etc/exports.d. Names are restricted so a file name never
// needs quoting and two shares never meet in one file.
import type { Attrs } from "../../src/provider/types.js";

export const SMB_CONF = "/etc/samba/smb.conf";
export const SMB_INDEX = "/etc/samba/pmxform.conf";
export const SMB_DIR = "/etc/samba/pmxform.d";
export const EXPORTS_DIR = "/etc/exports.d";
/** The line the user adds to smb.conf's [global] section, once. */
export const INCLUDE_LINE = `include = ${SMB_INDEX}`;

/** Samba share names pmxform manages: a file name as is, and never one of Samba's special sections. */
export const SHARE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
export const RESERVED_SMB_NAMES = new Set(["global", "homes", "printers"]);

/** Samba compares share names without case: one file per lower-cased name. */
export const smbFileOf = (name: string): string => `${SMB_DIR}/${name.toLowerCase()}.conf`;
export const nfsFileOf = (name: string): string => `${EXPORTS_DIR}/pmxform-${name}.exports`;

/** Import ids: NODE/NAME. */
export function parseShareId(id: string): { node: string; name: string } | undefined {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(id.trim());
  return m && SHARE_NAME.test(m[2]!) ? { node: m[1]!, name: m[2]! } : undefined;
}

export const nodeOfShare = (config: Attrs | null, prior: Attrs | null): string | undefined => {
  const n = config?.["node"] ?? prior?.["node"];
  return typeof n === "string" ? n : undefined;
};

/** The first line of every file pmxform writes: the type, the name and the state (lineage) that owns it. */
export const headerOf = (type: string, name: string, owner: string): string => `# pmxform ${type} ${name}; owner ${owner}. Managed by pmxform: edits are undone by the next apply.`;

export function parseHeader(line: string | undefined, type: string): { name: string; owner: string } | undefined {
  const m = new RegExp(`^# pmxform ${type} (\\S+); owner (\\S+)\\. `).exec(line ?? "");
  return m ? { name: m[1]!, owner: m[2]! } : undefined;
}
