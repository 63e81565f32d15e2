// CLI entry: normalises Terraform-style flags, answers the start-up-critical invocations
// (`--version`, `sim init`) without loading commander, and hands everything else to the
// command table in program.ts.
import { parseArgs } from "node:util";
import { BROKEN_PIPE_STATUS, quietOnBrokenPipe } from "./commands/broken-pipe.js";
import { enterChdir, takeChdir } from "./commands/chdir.js";

/** Terraform's single-dash long flags (`-out=x`, `-auto-approve`) are accepted as `--out=x`, `--auto-approve`. */
export function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const a of argv) {
    if (passthrough || a === "--") {
      passthrough = true;
      out.push(a);
      continue;
    }
    out.push(/^-[a-z][a-z-]+(=.*)?$/.test(a) ? `-${a}` : a);
  }
  return out;
}

/**
 * `sim init DIR [--nodes L] [--latency-ms N] [--force]` parsed without commander, because the
 * simulator's start-up budget (issue 3) is two Node start-ups plus very little. Anything this
 * strict parser does not accept (help, typos, extra arguments) returns undefined and goes through
 * commander, so errors and help read the same as for every other verb.
 */
export function fastSimInit(argv: readonly string[]): { opts: Record<string, unknown>; args: string[] } | undefined {
  if (argv[0] !== "sim" || argv[1] !== "init") return undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv.slice(2),
      options: { nodes: { type: "string" }, "latency-ms": { type: "string" }, "zfs-pool": { type: "string", multiple: true }, force: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) return undefined;
    return {
      opts: { nodes: values.nodes ?? "pve1", latencyMs: values["latency-ms"] ?? "0", force: values.force === true, ...(values["zfs-pool"] ? { zfsPool: values["zfs-pool"] } : {}) },
      args: positionals,
    };
  } catch {
    return undefined;
  }
}

/** Runs the CLI and returns the exit code. Never throws for user mistakes. */
export async function main(rawArgv: string[]): Promise<number> {
  quietOnBrokenPipe(process.stdout);
  quietOnBrokenPipe(process.stderr);
  const { argv, dir } = takeChdir(normaliseArgv(rawArgv));
  if (dir !== undefined) {
    const problem = enterChdir(dir);
    if (problem) {
      process.stderr.write(problem);
      return 1;
    }
  }
  const code = await dispatch(argv);
  return process.exitCode === BROKEN_PIPE_STATUS ? BROKEN_PIPE_STATUS : code;
}

async function dispatch(argv: string[]): Promise<number> {
  try {
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
      const { pmxformVersion } = await import("./state/version.js");
      process.stdout.write(pmxformVersion() + "\n");
      return 0;
    }
    const simInit = fastSimInit(argv);
    if (simInit) return await (await import("./commands/sim.js")).run(simInit.opts, simInit.args);
    return await runProgram(argv);
  } catch (e) {
    const { reportCrash } = await import("./commands/crash.js");
    return reportCrash(e);
  }
}

async function runProgram(argv: string[]): Promise<number> {
  const { buildProgram } = await import("./program.js");
  let code = 0;
  const program = buildProgram((n) => (code = n));
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number };
    if (typeof err.code === "string" && err.code.startsWith("commander.")) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      return 1;
    }
    throw e;
  }
}
