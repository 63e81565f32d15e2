// Quoting argv for the remote shell: ssh joins its arguments into one command string that the
// node's login shell parses, so each argument must be quoted to arrive as exactly one word.

/**
 * Quotes one argument for a POSIX shell: the remote side of ssh always runs the command through
 * the login shell, so every argument must arrive as exactly one word, unexpanded.
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The remote command string for argv (what ssh would send). */
export function remoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error("bug: empty argv");
  return argv.map(shellQuote).join(" ");
}
