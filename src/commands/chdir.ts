// `pmxform -chdir=DIR plan` as Terraform has it: the process changes into DIR before anything
// else, so every relative path the user gives (-out, a plan file, -var-file, -state,
// -generate-config-out, -f) is read inside DIR, and hints name a command that works from where
// the user stands. Given after the verb (`pmxform plan -chdir=DIR`, pmxform's older form) it
// means the same.

let given: string | undefined;

/** Removes every `--chdir DIR` / `--chdir=DIR` before `--`; the last one wins. */
export function takeChdir(argv: readonly string[]): { argv: string[]; dir?: string } {
  const out: string[] = [];
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (a.startsWith("--chdir=")) dir = a.slice("--chdir=".length);
    else if (a === "--chdir" && i + 1 < argv.length) dir = argv[++i]!;
    else out.push(a);
  }
  return dir === undefined ? { argv: out } : { argv: out, dir };
}

/** Changes into `dir`; the message Terraform gives when it cannot. */
export function enterChdir(dir: string): string | undefined {
  try {
    process.chdir(dir);
    given = dir;
    return undefined;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as NodeJS.ErrnoException).code === "ENOTDIR" ? "not a directory" : (e as Error).message;
    return `Error handling -chdir option: chdir ${dir}: ${why}\n`;
  }
}

/** `pmxform -chdir=DIR ` when -chdir was given, else `pmxform `: the start of a command to suggest. */
export function commandPrefix(): string {
  return given === undefined ? "pmxform " : `pmxform -chdir=${shellWord(given)} `;
}

/** A word the shell reads back as `s` (quoted only when needed). */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
