// `pct help [COMMAND] [--verbose]` in the simulator (pve-common CLIHandler.pm's help method and
// print_usage_short): the short usage of one command, or of every command.
import { parseArgs, type VerbSpec } from "./args.js";
import type { Ctx } from "./ctx.js";
import { SimError } from "./errors.js";

type Verb = (ctx: Ctx, argv: string[]) => number;

const HELP: VerbSpec = { usage: "pct help [<extra-args>] [OPTIONS]", positional: [], optionalPositional: ["extra-args"], options: { verbose: "boolean" } };

/** Aliases (pct.pm's cmddef `{ alias => ... }`): resolved by help, never listed. */
const ALIASES: Record<string, string> = { move_volume: "move-volume" };

/**
 * The usage line each verb's own spec holds: its parser is asked with an option no verb has, and
 * the last line of the refusal is that usage (args.ts parseArgs), so no second table of usages
 * can drift from the first. Nothing runs: every verb parses its arguments before anything else.
 */
function usageOf(ctx: Ctx, verb: Verb): string {
  try {
    verb(ctx, ["--pmxsim-usage"]);
  } catch (e) {
    if (e instanceof SimError) return e.message.split("\n").pop()!;
  }
  throw new Error("bug: a pct verb accepted --pmxsim-usage");
}

export function pctHelp(ctx: Ctx, argv: string[], verbs: Record<string, Verb>): number {
  const a = parseArgs(HELP, argv);
  const asked = a.pos["extra-args"];
  if (asked === undefined) {
    // Real pct groups the commands by API class with blank lines between groups; here they are sorted by name.
    const lines = Object.keys(verbs)
      .filter((v) => !Object.hasOwn(ALIASES, v))
      .sort()
      .map((v) => `       ${v === "help" ? HELP.usage : usageOf(ctx, verbs[v]!)}\n`);
    ctx.out(`USAGE: pct <COMMAND> [ARGS] [OPTIONS]\n\n${lines.join("")}`);
    return 0;
  }
  const name = Object.hasOwn(ALIASES, asked) ? ALIASES[asked]! : asked;
  const verb = Object.hasOwn(verbs, name) ? verbs[name] : undefined;
  if (!verb) throw new SimError(`ERROR: unknown command 'pct ${asked}'\nUSAGE: pct <COMMAND> [ARGS] [OPTIONS]`);
  ctx.out(`USAGE: ${name === "help" ? HELP.usage : usageOf(ctx, verb)}\n`);
  return 0;
}
