// The Samba 4.17 parameters the simulated testparm knows: a subset of lib/param/param_table.c
// (docs-xml/smbdotconf), with their type, the scope they belong to, their default (left out of
// `testparm -s`'s dump, as dump_a_service does) and their synonyms. A parameter not listed here
// is "unknown" to the simulator as one missing from param_table is to Samba; a name with a colon
// is a parametric option, always accepted (lpcfg_do_global_parameter / lp_do_parameter_parametric).
export type ParamType = "bool" | "string" | "octal" | "list" | "enum";

export interface SmbParam {
  name: string;
  type: ParamType;
  global?: boolean;
  /** The value dump_a_service leaves out; for bool a boolean, for octal a number. */
  default?: boolean | number | string;
  synonyms?: string[];
  /** Synonyms that set the inverse boolean (writeable = not read only). */
  inverse?: string[];
  /** enum: the values as the dump prints them, matched without case (lp_set_enum_parm). */
  values?: string[];
}

export const SMB_PARAMS: readonly SmbParam[] = [
  // [global]
  { name: "workgroup", type: "string", global: true, default: "WORKGROUP" },
  { name: "server string", type: "string", global: true },
  { name: "netbios name", type: "string", global: true },
  {
    name: "server role",
    type: "enum",
    global: true,
    values: ["auto", "standalone server", "member server", "classic primary domain controller", "classic backup domain controller", "active directory domain controller"],
  },
  { name: "security", type: "string", global: true },
  { name: "log file", type: "string", global: true },
  { name: "log level", type: "string", global: true, synonyms: ["debuglevel"] },
  { name: "logging", type: "string", global: true },
  { name: "max log size", type: "string", global: true },
  { name: "panic action", type: "string", global: true },
  { name: "obey pam restrictions", type: "bool", global: true, default: false },
  { name: "unix password sync", type: "bool", global: true, default: false },
  { name: "passwd program", type: "string", global: true },
  { name: "passwd chat", type: "string", global: true },
  { name: "pam password change", type: "bool", global: true, default: false },
  { name: "map to guest", type: "enum", global: true, default: "Never", values: ["Never", "Bad User", "Bad Password", "Bad Uid"] },
  { name: "usershare allow guests", type: "bool", global: true, default: false },
  { name: "interfaces", type: "list", global: true },
  { name: "bind interfaces only", type: "bool", global: true, default: false },
  { name: "guest account", type: "string", global: true },
  { name: "load printers", type: "bool", global: true, default: true },
  { name: "printing", type: "string", global: true },
  { name: "printcap name", type: "string", global: true },
  { name: "disable spoolss", type: "bool", global: true, default: false },
  { name: "dns proxy", type: "bool", global: true, default: false },
  { name: "server min protocol", type: "string", global: true, synonyms: ["min protocol"] },
  { name: "unix extensions", type: "bool", global: true, default: true },
  // per share (also allowed in [global], where they set the defaults of every share)
  { name: "path", type: "string", synonyms: ["directory"] },
  { name: "comment", type: "string" },
  { name: "browseable", type: "bool", default: true, synonyms: ["browsable"] },
  { name: "read only", type: "bool", default: true, inverse: ["writeable", "writable", "write ok"] },
  { name: "guest ok", type: "bool", default: false, synonyms: ["public"] },
  { name: "guest only", type: "bool", default: false, synonyms: ["only guest"] },
  { name: "valid users", type: "list" },
  { name: "invalid users", type: "list" },
  { name: "read list", type: "list" },
  { name: "write list", type: "list" },
  { name: "admin users", type: "list" },
  { name: "hosts allow", type: "list", synonyms: ["allow hosts"] },
  { name: "hosts deny", type: "list", synonyms: ["deny hosts"] },
  { name: "create mask", type: "octal", default: 0o744, synonyms: ["create mode"] },
  { name: "directory mask", type: "octal", default: 0o755, synonyms: ["directory mode"] },
  { name: "force create mode", type: "octal", default: 0 },
  { name: "force directory mode", type: "octal", default: 0 },
  { name: "force user", type: "string" },
  { name: "force group", type: "string", synonyms: ["group"] },
  { name: "printable", type: "bool", default: false, synonyms: ["print ok"] },
  { name: "available", type: "bool", default: true },
  { name: "inherit permissions", type: "bool", default: false },
  { name: "vfs objects", type: "list", synonyms: ["vfs object"] },
  { name: "veto files", type: "string" },
  { name: "hide dot files", type: "bool", default: true },
  { name: "follow symlinks", type: "bool", default: true },
  { name: "wide links", type: "bool", default: false },
  { name: "store dos attributes", type: "bool", default: true },
  { name: "ea support", type: "bool", default: true },
  { name: "include", type: "string" },
];

/** Samba compares parameter names without case and white space (lib/util/util_str.c strwicmp). */
export const paramKey = (name: string): string => name.toLowerCase().replace(/\s+/g, "");

export const PARAM_BY_KEY = new Map<string, { param: SmbParam; inverse: boolean }>();
for (const p of SMB_PARAMS) {
  PARAM_BY_KEY.set(paramKey(p.name), { param: p, inverse: false });
  for (const s of p.synonyms ?? []) PARAM_BY_KEY.set(paramKey(s), { param: p, inverse: false });
  for (const s of p.inverse ?? []) PARAM_BY_KEY.set(paramKey(s), { param: p, inverse: true });
}
