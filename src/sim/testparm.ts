// The simulated `testparm [-s] [CONFIGFILE]` (Samba 4.17, source3/utils/testparm.c): loads the
// file (default /etc/samba/smb.conf) and its includes the way lib/param/loadparm.c does, and
// answers with the real tool's texts, recorded in test/sim/fixtures/testparm:
// - an unknown parameter is reported and ignored (exit 0; lp_do_parameter: "Unknown parameter
//   encountered" / "Ignoring unknown parameter");
// - a value a boolean or octal parameter cannot take, a section header without "]" or an empty
//   section name fails the load ("Error loading services.", exit 1; set_variable_helper);
// - a global parameter in a share is reported and kept going (lp_do_parameter's "Global
//   parameter %s found in service section!"); a missing include file is skipped silently;
// - `-s` prints the dump without prompting: [global] first, then each section, parameters sorted,
//   booleans as Yes/No, masks as four octal digits, defaults left out (dump_a_service).
import { existsSync, readFileSync } from "node:fs";
import type { Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { nodeFile, isNodeFilePath } from "./node-files.js";
import { PARAM_BY_KEY, type SmbParam } from "./testparm-params.js";

interface Section {
  name: string;
  /** canonical parameter name -> printed value */
  params: Map<string, string>;
  includes: string[];
}

class LoadError extends Error {}

/** set_boolean (lib/util/util.c): yes/no, true/false, on/off, 1/0, any case. */
function smbBool(v: string): boolean | undefined {
  const t = v.toLowerCase();
  if (["yes", "true", "on", "1"].includes(t)) return true;
  if (["no", "false", "off", "0"].includes(t)) return false;
  return undefined;
}

function canonValue(p: SmbParam, inverse: boolean, raw: string, err: (t: string) => void): string | undefined {
  if (p.type === "bool") {
    const b = smbBool(raw);
    if (b === undefined) {
      err(`set_variable_helper(${raw}): value is not boolean!`);
      throw new LoadError();
    }
    const v = inverse ? !b : b;
    return v === p.default ? undefined : v ? "Yes" : "No";
  }
  if (p.type === "octal") {
    if (!/^[0-7]+$/.test(raw)) {
      err(`Invalid octal number ${p.name}`);
      throw new LoadError();
    }
    const n = parseInt(raw, 8);
    return n === p.default ? undefined : "0" + n.toString(8).padStart(3, "0");
  }
  if (p.type === "enum") {
    // lp_set_enum_parm: case-insensitive; a value not in the list fails the load.
    const v = p.values!.find((x) => x.toLowerCase() === raw.toLowerCase());
    if (v === undefined) {
      err(`WARNING: Ignoring invalid value '${raw}' for parameter '${p.name}'`);
      throw new LoadError();
    }
    return v === p.default ? undefined : v;
  }
  return raw === p.default ? undefined : raw;
}

/** The lines of a file with `\` continuations joined (lib/util/tini.c). */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    if (raw.endsWith("\\")) {
      pending += raw.slice(0, -1);
      continue;
    }
    out.push(pending + raw);
    pending = "";
  }
  if (pending) out.push(pending);
  return out;
}

function load(ctx: Ctx, path: string, sections: Map<string, Section>, current: { s: Section }, depth: number): void {
  const real = isNodeFilePath(path) ? nodeFile(ctx, path) : undefined;
  if (!real || !existsSync(real)) {
    if (depth === 0) throw new LoadError();
    return; // a missing include is skipped (lp_do_parameter's include handler only logs at level 2)
  }
  for (const raw of logicalLines(readFileSync(real, "utf8"))) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[")) {
      const m = /^\[([^\]]*)\]/.exec(line);
      if (!m) throw new LoadError();
      const name = m[1]!.trim();
      if (!name) {
        ctx.err("The following message indicates an internal error:\nNo service name in service entry.\n");
        throw new LoadError();
      }
      const key = name.toLowerCase();
      // add_a_service: a section seen before is continued, not replaced.
      const s = sections.get(key) ?? { name, params: new Map(), includes: [] };
      sections.set(key, s);
      current.s = s;
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) continue; // tini.c skips a line without "="
    const keyText = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (keyText.toLowerCase() === "include") {
      current.s.includes.push(value);
      load(ctx, value, sections, current, depth + 1);
      continue;
    }
    if (keyText.includes(":")) {
      current.s.params.set(keyText.replace(/\s*:\s*/, ":"), value);
      continue;
    }
    const found = PARAM_BY_KEY.get(keyText.toLowerCase().replace(/\s+/g, ""));
    if (!found) {
      ctx.err(`Unknown parameter encountered: "${keyText}"\nIgnoring unknown parameter "${keyText}"\n`);
      continue;
    }
    if (found.param.global && current.s.name.toLowerCase() !== "global") {
      ctx.err(`Global parameter ${keyText} found in service section!\n`);
      continue;
    }
    const v = canonValue(found.param, found.inverse, value, (t) => ctx.err(t + "\n"));
    if (v === undefined) current.s.params.delete(found.param.name);
    else current.s.params.set(found.param.name, v);
  }
}

function dump(sections: Map<string, Section>): string {
  const global = sections.get("global")!;
  const plain = [...global.params].filter(([k]) => !k.includes(":"));
  const parametric = [...global.params].filter(([k]) => k.includes(":")).map(([k, v]) => [k.replace(":", ":"), v] as const);
  parametric.push(["idmap config * : backend", "tdb"]);
  const lines = ["# Global parameters", "[global]"];
  for (const [k, v] of plain.sort(([a], [b]) => a.localeCompare(b))) lines.push(`\t${k} = ${v}`);
  for (const [k, v] of parametric.sort(([a], [b]) => a.localeCompare(b))) lines.push(`\t${k} = ${v}`);
  for (const i of global.includes) lines.push(`\tinclude = ${i}`);
  let out = lines.join("\n") + "\n";
  for (const s of sections.values()) {
    if (s === global) continue;
    const body = [...s.params].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `\t${k} = ${v}`);
    out += `\n\n[${s.name}]\n` + body.map((l) => l + "\n").join("");
  }
  return out;
}

export function runTestparm(ctx: Ctx, argv: string[]): number {
  let suppress = false;
  const files: string[] = [];
  for (const a of argv) {
    if (a === "-s" || a === "--suppress-prompt") suppress = true;
    else if (a.startsWith("-")) throw new SimError(`testparm: option ${a} is not simulated`, 2);
    else files.push(a);
  }
  if (files.length > 1) throw new SimError("testparm: only one CONFIGFILE is simulated (no HOSTNAME HOSTIP check)", 2);
  const file = files[0] ?? "/etc/samba/smb.conf";
  ctx.err(`Load smb config files from ${file}\n`);
  const global: Section = { name: "global", params: new Map(), includes: [] };
  const sections = new Map<string, Section>([["global", global]]);
  try {
    load(ctx, file, sections, { s: global }, 0);
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    ctx.err("Error loading services.\n");
    return 1;
  }
  ctx.err("Loaded services file OK.\nWeak crypto is allowed by GnuTLS (e.g. NTLM as a compatibility fallback)\n\nServer role: ROLE_STANDALONE\n\n");
  if (!suppress) throw new SimError("testparm: only -s is simulated (the prompt before the dump is not)", 2);
  ctx.out(dump(sections));
  return 0;
}
