// RE2 (Terraform's regex dialect) to JavaScript RegExp translation for regex(), regexall() and
// replace(): named groups (?P<n>...), leading flag groups like (?i), \A and \z anchors.
import { FunctionError } from "./types.js";

export function compileRe2(pattern: string, argIndex: number, global = false): RegExp {
  let src = pattern;
  let flags = global ? "g" : "";
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1] ?? "") {
      if (f === "U") throw new FunctionError("the (?U) flag is not supported", argIndex);
      if (!flags.includes(f)) flags += f;
    }
    src = src.slice(lead[0].length);
  }
  src = src.replace(/\(\?P</g, "(?<").replace(/\\A/g, "^").replace(/\\z/g, "$(?![\\s\\S])");
  try {
    return new RegExp(src, flags + "u");
  } catch {
    try {
      return new RegExp(src, flags);
    } catch (e) {
      throw new FunctionError(`invalid regular expression ${JSON.stringify(pattern)}: ${e instanceof Error ? e.message : String(e)}`, argIndex);
    }
  }
}

/** Number of capture groups of a compiled pattern. */
export function groupCount(re: RegExp): number {
  return (new RegExp(`${re.source}|`, re.flags.replace("g", "")).exec("") as RegExpExecArray).length - 1;
}

/** Go/RE2 replacement syntax (`$1`, `${1}`, `${name}`) to JavaScript's (`$1`, `$<name>`). */
export function re2Replacement(repl: string): string {
  return repl.replace(/\$(\$|\{(\w+)\}|(\d+)|([A-Za-z_]\w*))/g, (_m, all: string, braced?: string, digits?: string, name?: string) => {
    if (all === "$") return "$$";
    const ref = braced ?? digits ?? name ?? "";
    return /^\d+$/.test(ref) ? `$${ref}` : `$<${ref}>`;
  });
}
