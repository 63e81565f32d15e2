// Terraform's regex dialect (RE2) for regex(), regexall() and replace(), run by re2js, a pure-JS
// port of RE2: matching is linear in the input, so a user pattern such as (a+)+$ cannot hang a
// plan (V8's backtracking RegExp took forever on it). docs/decisions.md says why re2js.
import { RE2JS } from "re2js";
import { FunctionError } from "./types.js";

export type Re2 = RE2JS;

/** Compiles an RE2 pattern ((?P<n>...), (?i) flag groups, \A, \z are RE2's own syntax). */
export function compileRe2(pattern: string, argIndex: number): Re2 {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    throw new FunctionError(`invalid regular expression ${JSON.stringify(pattern)}: ${e instanceof Error ? e.message : String(e)}`, argIndex);
  }
}

/** Number of capture groups of a compiled pattern. */
export function groupCount(re: Re2): number {
  return re.groupCount();
}

/** The first match, as RegExp.exec would shape it, or null. */
export function firstMatch(re: Re2, input: string): RegExpExecArray | null {
  return re.exec(input) as RegExpExecArray | null;
}

/** Every match, as RegExp.exec would shape it. */
export function allMatches(re: Re2, input: string): RegExpExecArray[] {
  return [...re.matchAll(input)] as RegExpExecArray[];
}

/** Go/RE2 replacement syntax (`$1`, `${1}`, `${name}`) to JavaScript's (`$1`, `$<name>`), which re2js expands. */
export function re2Replacement(repl: string): string {
  return repl.replace(/\$(\$|\{(\w+)\}|(\d+)|([A-Za-z_]\w*))/g, (_m, all: string, braced?: string, digits?: string, name?: string) => {
    if (all === "$") return "$$";
    const ref = braced ?? digits ?? name ?? "";
    return /^\d+$/.test(ref) ? `$${ref}` : `$<${ref}>`;
  });
}

/** Every match of `re` in `input` replaced (JavaScript replacement syntax). */
export function replaceAllRe2(re: Re2, input: string, replacement: string): string {
  return re.matcher(input).replaceAll(replacement);
}
