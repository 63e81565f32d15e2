// The on-disk container config (/etc/pve/nodes/<node>/lxc/<vmid>.conf): one reader and one
// writer with pct's rules (pve-reference §2 "On-disk"), so parse -> write -> parse is stable.
import { createHash } from "node:crypto";
import { decodeText, encodeText, perlCompare } from "./text.js";
import { checkType } from "./schema.js";
import { checkLxcKey } from "./lxc-keys.js";

export interface ConfSection {
  description?: string;
  keys: Map<string, string>;
  /** NAME=value entries, from/to `lxc.environment.runtime` lines */
  env: string[];
  /** raw lxc.* lines in file order */
  lxc: [string, string][];
  /** pending deletions (only in [pve:pending]); a `!` prefix marks force */
  delete?: string[];
}

export interface ParsedConf {
  main: ConfSection;
  pending?: ConfSection;
  snapshots: Map<string, ConfSection>;
  warnings: string[];
}

export function emptySection(): ConfSection {
  return { keys: new Map(), env: [], lxc: [] };
}

export function confDigest(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

const ENV_KEY = "lxc.environment.runtime";

/** `vmid` only appears in warning texts (`vm 100 - unknown setting ...`). */
export function parseConf(text: string, vmid = "0"): ParsedConf {
  const res: ParsedConf = { main: emptySection(), snapshots: new Map(), warnings: [] };
  let section = res.main;
  let inPending = false;
  let descr = "";
  const flushDescr = (): void => {
    if (descr) section.description = descr;
    descr = "";
  };
  for (const rawLine of text.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (/^\s*$/.test(line)) continue;
    if (/^\[pve:pending\]\s*$/i.test(line)) {
      flushDescr();
      section = res.pending = emptySection();
      inPending = true;
      continue;
    }
    const snap = /^\[([a-z][a-z0-9_-]+)\]\s*$/i.exec(line);
    if (snap) {
      flushDescr();
      section = emptySection();
      res.snapshots.set(snap[1]!, section);
      inPending = false;
      continue;
    }
    // Config.pm parse_pct_config splits on \n only: other lines lose a trailing CR to their
    // `\s*$`, but a description line (`^#(.*)$`) keeps it
    const comment = /^#([^]*)$/.exec(rawLine);
    if (comment) {
      descr += decodeText(comment[1]!) + "\n";
      continue;
    }
    const lxc = /^(lxc\.[a-z0-9_\-.]+)(:|\s*=)\s*(.*?)\s*$/.exec(line);
    if (lxc) {
      const key = lxc[1]!;
      const value = lxc[3]!;
      if (key === ENV_KEY) {
        section.env.push(value);
        continue;
      }
      const verdict = checkLxcKey(vmid, key, line);
      if (verdict.warning) res.warnings.push(verdict.warning);
      if (verdict.keep) section.lxc.push([key, value]);
      continue;
    }
    const legacyDescr = /^description:\s*(.*\S)\s*$/.exec(line);
    if (legacyDescr) {
      descr += decodeText(legacyDescr[1]!);
      continue;
    }
    const del = /^delete:\s*(.*\S)\s*$/.exec(line);
    if (del) {
      if (inPending) section.delete = del[1]!.split(/[,; ]+/).filter(Boolean);
      else res.warnings.push(`vm ${vmid} - property 'delete' is only allowed in [pve:pending]`);
      continue;
    }
    const kv = /^([a-z][a-z_]*\d*):\s*(.+?)\s*$/.exec(line);
    if (kv) {
      const key = kv[1]!;
      let value = kv[2]!;
      if (key !== "snapstate") {
        const checked = checkType(key, value);
        if (checked.error) res.warnings.push(`vm ${vmid} - unable to parse value of '${key}' - ${checked.error}`);
        value = checked.value;
      }
      section.keys.set(key, value);
      continue;
    }
    res.warnings.push(`vm ${vmid} - unable to parse config: ${line}`);
  }
  flushDescr();
  return res;
}

function writeSection(s: ConfSection): string {
  let raw = "";
  if (s.description) {
    // Perl splits on \n and drops the empty field after the final newline; inner and trailing
    // empty lines are kept so that parse -> write -> parse is stable.
    const lines = s.description.split("\n");
    if (lines.at(-1) === "") lines.pop();
    for (const l of lines) raw += "#" + encodeText(l) + "\n";
  }
  const entries: [string, string][] = [...s.keys.entries()];
  if (s.delete && s.delete.length) entries.push(["delete", s.delete.join(",")]);
  entries.sort((a, b) => perlCompare(a[0], b[0]));
  for (const [k, v] of entries) {
    if (/[\r\n]/.test(v)) throw new Error(`detected invalid newline inside property '${k}'`);
    raw += `${k}: ${v}\n`;
  }
  for (const e of s.env) raw += `${ENV_KEY}: ${e}\n`;
  for (const [k, v] of s.lxc) raw += `${k}: ${v}\n`;
  return raw;
}

export function isSectionEmpty(s: ConfSection): boolean {
  return !s.description && s.keys.size === 0 && s.env.length === 0 && s.lxc.length === 0 && !(s.delete && s.delete.length);
}

export function writeConf(c: ParsedConf): string {
  let raw = writeSection(c.main);
  if (c.pending && !isSectionEmpty(c.pending)) raw += "\n[pve:pending]\n" + writeSection(c.pending);
  for (const name of [...c.snapshots.keys()].sort(perlCompare)) {
    raw += `\n[${name}]\n` + writeSection(c.snapshots.get(name)!);
  }
  return raw;
}

/** Deep copy, for code that edits a section while keeping the original. */
export function cloneSection(s: ConfSection): ConfSection {
  const out: ConfSection = { keys: new Map(s.keys), env: [...s.env], lxc: s.lxc.map(([k, v]) => [k, v]) };
  if (s.description !== undefined) out.description = s.description;
  if (s.delete) out.delete = [...s.delete];
  return out;
}
