// One nfs_share as the exports(5) file pmxform writes (/etc/exports.d/pmxform-NAME.exports) and
// back. pmxform writes every boolean option explicitly (rw/ro, sync/async, ...), so what exportfs
// would assume never decides a share; reading takes exports(5)'s syntax (nfs-utils
// support/nfs/exports.c getexportent/parseopts): PATH CLIENT(OPTS) CLIENT(OPTS)...
import { NFS_CLIENT_FIELDS } from "./fields.js";
import { headerOf, parseHeader } from "./paths.js";

export type ClientAttrs = Record<string, unknown>;

/** A client's options with every boolean decided (exportfs's defaults where the configuration is silent). */
export function canonClient(c: ClientAttrs): ClientAttrs {
  const out: ClientAttrs = {};
  for (const f of NFS_CLIENT_FIELDS) {
    const v = c[f.attr];
    if (f.words) out[f.attr] = typeof v === "boolean" ? v : v === undefined || v === null ? f.words.default : v;
    else if (f.type === "list(string)" && Array.isArray(v) && v.length === 0) out[f.attr] = null;
    else out[f.attr] = v ?? null;
  }
  return out;
}

export function clientOptions(c: ClientAttrs): string {
  const words: string[] = [];
  for (const f of NFS_CLIENT_FIELDS) {
    const v = c[f.attr];
    if (f.words) words.push((v ?? f.words.default) === true ? f.words.yes : f.words.no);
    else if (v !== null && v !== undefined && f.key) words.push(`${f.key}=${Array.isArray(v) ? v.join(":") : String(v)}`);
  }
  return words.join(",");
}

/** The exports line: the path, then each client (sorted) with its options. */
export function nfsBody(path: string, clients: Record<string, ClientAttrs>): string {
  const parts = [
    path,
    ...Object.keys(clients)
      .sort()
      .map((spec) => `${spec}(${clientOptions(clients[spec]!)})`),
  ];
  return parts.join(" ") + "\n";
}

export const nfsFileText = (name: string, owner: string, body: string): string => `${headerOf("nfs_share", name, owner)}\n${body}`;

export interface ParsedNfs {
  owner?: string;
  path?: string;
  clients: Record<string, ClientAttrs>;
  unmanaged: string[];
}

/** One client's options, or the words pmxform does not manage (kept apart, reported as drift). */
function parseOptions(text: string, unmanaged: string[], spec: string): ClientAttrs {
  const c: ClientAttrs = {};
  for (const word of text.split(",").filter(Boolean)) {
    const [key, value] = word.includes("=") ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)] : [word, undefined];
    const byWord = NFS_CLIENT_FIELDS.find((f) => f.words && value === undefined && (f.words.yes === key || f.words.no === key));
    const byKey = NFS_CLIENT_FIELDS.find((f) => f.key === key && value !== undefined);
    if (byWord) c[byWord.attr] = byWord.words!.yes === key;
    else if (byKey && byKey.type === "int" && /^\d+$/.test(value!)) c[byKey.attr] = Number(value);
    else if (byKey && byKey.type === "list(string)") c[byKey.attr] = value!.split(":").filter(Boolean);
    else unmanaged.push(`${spec}: ${word}`);
  }
  return canonClient(c);
}

/** An exports file's first export line (with `\` continuations joined) and its clients. */
export function parseNfsFile(text: string): ParsedNfs {
  const lines = text.split("\n");
  const header = parseHeader(lines[0], "nfs_share");
  const unmanaged: string[] = [];
  const logical: string[] = [];
  let pending = "";
  for (const raw of lines) {
    if (raw.trimEnd().endsWith("\\")) {
      pending += raw.trimEnd().slice(0, -1) + " ";
      continue;
    }
    const line = (pending + raw).replace(/#.*$/, "").trim();
    pending = "";
    if (line) logical.push(line);
  }
  const clients: Record<string, ClientAttrs> = {};
  const [first, ...rest] = logical;
  let path: string | undefined;
  if (first !== undefined) {
    const tokens = first.split(/\s+/);
    path = tokens.shift()!;
    for (const t of tokens) {
      const m = /^([^(]*)(?:\(([^)]*)\))?$/.exec(t);
      if (!m || t.startsWith("-")) {
        unmanaged.push(t);
        continue;
      }
      // exportfs: a bare "(opts)" applies to every host, as "*(opts)" (exports.c getexportent).
      const spec = m[1] || "*";
      clients[spec] = parseOptions(m[2] ?? "", unmanaged, spec);
    }
  }
  // Only the first export is the share's; later lines are someone else's edit.
  unmanaged.push(...rest);
  return { ...(header ? { owner: header.owner } : {}), ...(path !== undefined ? { path } : {}), clients, unmanaged };
}
