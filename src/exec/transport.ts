// How a Proxmox node is reached, and the runner for each way, with the one piece SSH cannot do
// without: quoting argv for the remote shell, since ssh joins its arguments into a command string.

import { LocalRunner } from "./local.js";
import type { Runner } from "./runner.js";
import { SimRunner } from "./sim.js";
import { SshRunner, type SshTarget } from "./ssh.js";

// The quoting lives in its own file so ssh.ts can use it without importing this one (a cycle).
export { remoteCommand, shellQuote } from "./shell-quote.js";

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
