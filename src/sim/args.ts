// Command-line parsing with the real tools' rules (pve-common get_options): `--opt v`, `-opt v`,
// `--opt=v`, bare boolean flags mean 1, list options may repeat; errors use PVE's texts.
import { parseBoolean } from "../pve/check.js";
import { lookupKey } from "../pve/schema.js";
import { SimError, ParamError } from "./errors.js";

export type OptType = "boolean" | "string" | "list";

export interface VerbSpec {
  usage: string;
  positional: string[];
  optionalPositional?: string[];
  options: Record<string, OptType>;
  /** accept every settable container config key as an option (create/set) */
  configKeys?: boolean;
  /** everything after `--` (or after the positionals) is collected (pct exec) */
  rest?: boolean;
}

export interface ParsedArgs {
  pos: Record<string, string>;
  opts: Map<string, string>;
  rest: string[];
}

function configKeyType(name: string): OptType | undefined {
  const found = lookupKey(name);
  if (!found || found.def.hotplug === "internal") return undefined;
  return found.def.type === "boolean" ? "boolean" : "string";
}

export function parseArgs(spec: VerbSpec, argv: string[]): ParsedArgs {
  const opts = new Map<string, string>();
  const positionals: string[] = [];
  const rest: string[] = [];
  const typeOf = (name: string): OptType | undefined => spec.options[name] ?? (spec.configKeys ? configKeyType(name) : undefined);
  const errors: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === "--") {
      rest.push(...argv.slice(i + 1));
      break;
    }
    const m = /^--?([A-Za-z][\w.-]*)(?:=(.*))?$/s.exec(tok);
    if (!m) {
      positionals.push(tok);
      continue;
    }
    const name = m[1]!;
    const type = typeOf(name);
    if (!type) throw new SimError(`Unknown option: ${name}\n400 unable to parse option\n${spec.usage}`);
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (type === "boolean") {
        if (next !== undefined && !next.startsWith("-")) value = argv[++i]!;
        else value = "1";
      } else {
        if (next === undefined) throw new SimError(`Option ${name} requires an argument\n400 unable to parse option\n${spec.usage}`);
        value = argv[++i]!;
      }
    }
    if (type === "boolean") {
      const b = parseBoolean(value);
      if (b === undefined) errors.push([name, `type check ('boolean') failed - got '${value}'`]);
      value = b ?? value;
    }
    if (type === "list" && opts.has(name)) value = `${opts.get(name)},${value}`;
    opts.set(name, value);
  }
  const pos: Record<string, string> = {};
  const names = [...spec.positional, ...(spec.optionalPositional ?? [])];
  if (positionals.length < spec.positional.length) throw new SimError(`400 not enough arguments\n${spec.usage}`);
  if (positionals.length > names.length) {
    if (spec.rest) rest.unshift(...positionals.splice(names.length));
    else throw new SimError(`400 too many arguments\n${spec.usage}`);
  }
  names.forEach((n, i) => {
    if (positionals[i] !== undefined) pos[n] = positionals[i]!;
  });
  if (errors.length) throw new ParamError(errors, spec.usage);
  return { pos, opts, rest };
}

/** Validates a vmid argument like pve-vmid (`100`..`999999999`). */
export function checkVmid(value: string, usage: string, key = "vmid"): number {
  if (!/^[1-9][0-9]{2,8}$/.test(value)) throw new ParamError([[key, "invalid format - value does not look like a valid VM ID"]], usage);
  return Number(value);
}
