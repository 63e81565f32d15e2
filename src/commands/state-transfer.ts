// `pmxform state pull` and `pmxform state push FILE`: the workspace's state as a whole, to stdout
// and from a file (or - for stdin). push checks, as Terraform does, that the file continues the
// stored state (same lineage, serial not behind); -force replaces it whatever it is. The file may
// be encrypted with the configured key (errored.pmxform.state.json is written that way).
import { readFileSync } from "node:fs";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import { contextOf } from "../engine/backend-context.js";
import { parseDuration } from "../engine/duration.js";
import type { CommonOptions } from "../engine/session.js";
import { openStore } from "../state/context.js";
import { isEnvelope, EncryptionError } from "../state/encryption.js";
import { validateStateFile } from "../state/schema.js";
import { StateLockedError, stateDiagnostic } from "../state/errors.js";
import { jsonErrorRange } from "../state/json-error-at.js";
import { printDiagnostics } from "./output-format.js";

type Opts = CommonOptions & { lockTimeout?: string; lock?: string; force?: boolean };

const PUSH_FIX = "Push a state file as pmxform state pull writes it (or errored.pmxform.state.json), repaired where the message says.";

export async function pull(opts: Opts): Promise<number> {
  const c = await contextOf({ opts });
  if (!c.ctx) return (printDiagnostics(c.diagnostics, opts, c.sources), 1);
  try {
    const store = await openStore(c.ctx, { lock: false, lockTimeoutMs: 0, operation: "state pull" });
    try {
      await store.read(); // validates before anything is printed
      const plain = await store.readPlain();
      if (plain) process.stdout.write(plain);
    } finally {
      await store.release();
    }
    return 0;
  } catch (e) {
    printDiagnostics([stateDiagnostic("Error reading the state", e)], opts);
    return 1;
  }
}

export async function push(opts: Opts, args: string[]): Promise<number> {
  const file = args[0]!;
  const fail = (d: Diagnostic[]) => (printDiagnostics(d, opts), 1);
  const timeout = parseDuration(opts.lockTimeout ?? "0s");
  if (timeout === undefined) return fail([error("Invalid --lock-timeout", `"${opts.lockTimeout}" is not a duration. Use a number with a unit, e.g. 30s, 2m.`)]);
  let bytes: Buffer;
  try {
    bytes = file === "-" ? readFileSync(0) : readFileSync(file);
  } catch (e) {
    return fail([error("Cannot read the state to push", `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Give the path of a state file (or - for standard input).`)]);
  }
  const c = await contextOf({ opts });
  if (!c.ctx) return fail(c.diagnostics);
  const ctx = c.ctx;
  let store;
  try {
    if (isEnvelope(bytes)) {
      if (!ctx.encryption) throw new EncryptionError(`${file} is encrypted, but the configuration has no encryption block. Add the block with the key it was written with.`);
      bytes = await ctx.encryption.decode(bytes, file);
    }
    let data: unknown;
    const text = bytes.toString("utf8");
    try {
      data = JSON.parse(text);
    } catch (e) {
      const at = file === "-" ? undefined : jsonErrorRange(file, text);
      const what = at ? `at line ${at.start.line}, column ${at.start.column}` : `(${(e as Error).message})`;
      printDiagnostics([error("Invalid state file", `${file} is not valid JSON ${what}. Nothing was pushed. ${PUSH_FIX}`, at)], opts, new Map([[file, text]]));
      return 1;
    }
    const checked = validateStateFile(data);
    if ("problems" in checked) return fail([error("Invalid state file", `${file} is not a valid pmxform state:\n  ${checked.problems.join("\n  ")}\nNothing was pushed. ${PUSH_FIX}`)]);
    const pushed = checked.state;
    store = await openStore(ctx, { lock: opts.lock !== "false", lockTimeoutMs: timeout, operation: "state push" });
    const current = await store.read();
    if (current && !opts.force) {
      if (current.lineage !== pushed.lineage) {
        return fail([
          error(
            "Cannot push a state of another lineage",
            `${file} has lineage ${pushed.lineage}, but the state in ${store.path} has lineage ${current.lineage}: it is a different state, and pushing it would make pmxform forget what the current one manages. Check the file; to replace the state anyway, add -force.`,
          ),
        ]);
      }
      if (pushed.serial < current.serial) {
        return fail([
          error(
            "Cannot push an older state",
            `${file} has serial ${pushed.serial}, but the state in ${store.path} is already at serial ${current.serial}: someone saved a newer state since this file was written. Pull the current state (pmxform state pull) and compare; to replace it anyway, add -force.`,
          ),
        ]);
      }
    }
    if (current && current.lineage === pushed.lineage && current.serial === pushed.serial && JSON.stringify(current) === JSON.stringify(pushed)) {
      process.stdout.write(`The state in ${store.path} is already this state (serial ${pushed.serial}); nothing to push.\n`);
      return 0;
    }
    // The stored serial only moves forward, so every run that read the old state sees it changed.
    if (current) pushed.serial = Math.max(pushed.serial, current.serial + 1);
    await store.replace(pushed);
    process.stdout.write(`Pushed ${file} to ${store.path} (serial ${pushed.serial}, ${pushed.resources.length} resource(s)).\n`);
    return 0;
  } catch (e) {
    const d = stateDiagnostic("Failed to push the state", e);
    // The fix stays the last sentence.
    return fail([e instanceof StateLockedError ? d : { ...d, detail: `Nothing was pushed: ${d.detail ?? ""}` }]);
  } finally {
    await store?.release();
  }
}
