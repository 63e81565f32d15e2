// The field tables of smb_share and nfs_share: one row per argument, saying the smb.conf
// parameter or exports(5) option it is written as, its type, its schema, how the file's text
// reads back and prints (the canonical form pmxform writes), and its docs line. The schema, the
// file writers and parsers, import and docs/storage.md derive from these rows.
import type { ZodType } from "zod";
import { bool, checked, int, listOf, pattern } from "../../src/provider/schema.js";
import { cidrProblem } from "./net.js";

export type ShareFieldType = "string" | "bool" | "list(string)" | "mask" | "int";

export interface SmbField {
  attr: string;
  /** The smb.conf parameter pmxform writes. */
  key: string;
  /** Other spellings Samba takes for the same parameter (source3/param/loadparm: synonyms), read on import. */
  aliases?: string[];
  /** Samba stores the inverse (`writeable` for read_only). */
  inverseAliases?: string[];
  type: ShareFieldType;
  schema: ZodType;
  doc: string;
}

/**
 * A value written after `key = `: Samba trims surrounding white space and reads a trailing
 * backslash as a line continuation (lib/util/params.c Parameter), so neither can round-trip.
 */
const SMB_VALUE = /^(?!\s)[^\r\n\u0000]*(?<![\s\\])$/;
const smbText = (what: string) => pattern(SMB_VALUE, `${what} cannot start or end with white space or end with a backslash, nor hold line breaks: smb.conf would read it differently. Remove them`);

/** A user or group as valid users / force user take them: name, @group or +group (UNIX group), no spaces. */
export const SMB_PRINCIPAL = /^[@+&]?[A-Za-z0-9_][A-Za-z0-9_.$-]*$/;

/** Samba's octal masks (create mask, directory mask): at most four octal digits; written as four. */
const MASK = /^[0-7]{3,4}$/;

export const SMB_FIELDS: readonly SmbField[] = [
  {
    attr: "path",
    key: "path",
    type: "string",
    schema: pattern(/^\/(?:[^\r\n\u0000]*[^\s\\])?$/, 'an absolute path such as "/tank/media" is required (no trailing white space or backslash)'),
    doc: "directory shared (often `zfs_dataset.x.mountpoint`)",
  },
  { attr: "comment", key: "comment", type: "string", schema: smbText("comment"), doc: "description clients show next to the share" },
  { attr: "browseable", key: "browseable", aliases: ["browsable"], type: "bool", schema: bool(), doc: "listed when clients browse the server (Samba's default: yes)" },
  { attr: "read_only", key: "read only", inverseAliases: ["writeable", "writable", "write ok"], type: "bool", schema: bool(), doc: "clients may not write (Samba's default: yes)" },
  { attr: "guest_ok", key: "guest ok", aliases: ["public"], type: "bool", schema: bool(), doc: "no password needed; guests act as the guest account (Samba's default: no)" },
  {
    attr: "valid_users",
    key: "valid users",
    type: "list(string)",
    schema: listOf(pattern(SMB_PRINCIPAL, 'a user name, "@group" or "+group" without spaces is required')),
    doc: "only these users and groups (`@family`) may connect",
  },
  {
    attr: "allowed_networks",
    key: "hosts allow",
    aliases: ["allow hosts"],
    type: "list(string)",
    schema: listOf(checked((v) => cidrProblem(v) === undefined, "an IP address or a network in CIDR notation (such as 192.168.1.0/24) without host bits is required")),
    doc: "only clients from these addresses or CIDR networks may connect",
  },
  {
    attr: "create_mask",
    key: "create mask",
    aliases: ["create mode"],
    type: "mask",
    schema: pattern(MASK, 'an octal mask such as "0644" is required'),
    doc: "permission bits new files may get (octal)",
  },
  {
    attr: "directory_mask",
    key: "directory mask",
    aliases: ["directory mode"],
    type: "mask",
    schema: pattern(MASK, 'an octal mask such as "0755" is required'),
    doc: "permission bits new directories may get (octal)",
  },
  { attr: "force_user", key: "force user", type: "string", schema: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.$-]*$/, "a user name without spaces is required"), doc: "every file operation runs as this user" },
  {
    attr: "force_group",
    key: "force group",
    type: "string",
    schema: pattern(/^\+?[A-Za-z0-9_][A-Za-z0-9_.$-]*$/, "a group name without spaces is required"),
    doc: "every file operation runs with this primary group",
  },
];

/** How one NFS client's option appears in an exports line: a pair of words, or KEY=VALUE. */
export interface NfsField {
  attr: string;
  type: ShareFieldType;
  schema: ZodType;
  /** Written when the attribute is true / false (`rw`/`ro`); the value pmxform plans when unset. */
  words?: { yes: string; no: string; default: boolean };
  /** Written as KEY=VALUE when set (anonuid=, sec=). */
  key?: string;
  doc: string;
}

export const NFS_SEC = ["sys", "krb5", "krb5i", "krb5p"] as const;

export const NFS_CLIENT_FIELDS: readonly NfsField[] = [
  { attr: "read_only", type: "bool", schema: bool(), words: { yes: "ro", no: "rw", default: true }, doc: "`ro` or `rw` (default read-only, as exportfs)" },
  { attr: "sync", type: "bool", schema: bool(), words: { yes: "sync", no: "async", default: true }, doc: "`sync` or `async` (default sync: the server commits before it replies)" },
  { attr: "root_squash", type: "bool", schema: bool(), words: { yes: "root_squash", no: "no_root_squash", default: true }, doc: "map the client's root to the anonymous user (default true)" },
  { attr: "all_squash", type: "bool", schema: bool(), words: { yes: "all_squash", no: "no_all_squash", default: false }, doc: "map every user to the anonymous user (default false)" },
  {
    attr: "subtree_check",
    type: "bool",
    schema: bool(),
    words: { yes: "subtree_check", no: "no_subtree_check", default: false },
    doc: "check that a file handle lies in the exported subtree (default false, as nfs-utils since 1.1.0)",
  },
  { attr: "anonuid", type: "int", schema: int(0, 4294967294), key: "anonuid", doc: "uid of the anonymous user squashed users become" },
  { attr: "anongid", type: "int", schema: int(0, 4294967294), key: "anongid", doc: "gid of the anonymous user" },
  {
    attr: "sec",
    type: "list(string)",
    schema: listOf(pattern(/^(sys|krb5|krb5i|krb5p)$/, `one of ${NFS_SEC.map((s) => `"${s}"`).join(", ")} is required`)),
    key: "sec",
    doc: 'security flavours, in order (`["krb5p"]`); joined with ":"',
  },
];

/** Samba's boolean words (lib/util/util.c set_boolean); undefined when the text is none of them. */
export function smbBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (["yes", "true", "on", "1"].includes(t)) return true;
  if (["no", "false", "off", "0"].includes(t)) return false;
  return undefined;
}

/** A mask as pmxform writes it: four octal digits. */
export const canonMask = (v: string): string => v.padStart(4, "0");
