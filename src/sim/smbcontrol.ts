// The simulated `smbcontrol all reload-config` (Samba source3/utils/smbcontrol.c): asks every
// running smbd/nmbd/winbindd to re-read smb.conf. The simulator has no daemons; it records the
// reload (DIR/nodes/<node>/var/log/samba-reloads.log, one line each) so tests can see that apply
// told Samba, and succeeds as the broadcast to "all" does.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "./ctx.js";
import { paths } from "./ctx.js";
import { SimError } from "./errors.js";

export const reloadLogPath = (dir: string, node: string): string => join(paths.nodeRoot(dir, node), "var", "log", "samba-reloads.log");

export function runSmbcontrol(ctx: Ctx, argv: string[]): number {
  if (argv.length !== 2 || argv[0] !== "all" || argv[1] !== "reload-config") throw new SimError("smbcontrol: only `smbcontrol all reload-config` is simulated", 2);
  const log = reloadLogPath(ctx.dir, ctx.node);
  mkdirSync(join(log, ".."), { recursive: true });
  appendFileSync(log, `${new Date().toISOString()} reload-config\n`);
  return 0;
}
