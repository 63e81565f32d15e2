// How a Proxmox node is reached, and the runner for each way, with the one piece SSH cannot do
// without: quoting argv for the remote shell, since ssh joins its arguments into a command string.

import { LocalRunner } from "./local.js";
import type { Runner } from "./runner.js";
import { SimRunner } from "./sim.js";
import { SshRunner, type SshTarget } from "./ssh.js";

export type Transport =
  | { kind: "local" }
  | { kind: "sim"; dir: string; node: string }
  /** destination: "root@10.0.0.11"; options: extra `ssh -o` settings. */
  | ({ kind: "ssh" } & SshTarget);

export function runnerFor(t: Transport): Runner {
  switch (t.kind) {
    case "local":
      return new LocalRunner();
    case "sim":
      return new SimRunner(t.dir, t.node);
    case "ssh":
      return new SshRunner(t);
  }
}

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
