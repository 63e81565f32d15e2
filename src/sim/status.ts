// Live status of a CT as vmstatus computes it (pct status --verbose, pvesh .../lxc, /cluster/resources).
import type { ParsedConf } from "../pve/conf.js";
import { parsePropertyString } from "../pve/propstring.js";
import { parseDiskSize } from "../pve/size.js";
import { runningSince, isRunning } from "./cluster.js";
import type { Ctx } from "./ctx.js";

const MiB = 1024 * 1024;

export function vmStatus(ctx: Ctx, node: string, vmid: number, conf: ParsedConf): Record<string, number | string> {
  const k = conf.main.keys;
  const running = isRunning(ctx, vmid, node);
  const rootfs = k.get("rootfs");
  const sizeText = rootfs ? parsePropertyString("rootfs", rootfs).value["size"] : undefined;
  const maxdisk = (sizeText && parseDiskSize(sizeText)) || 4 * 1024 ** 3;
  const maxmem = Number(k.get("memory") ?? 512) * MiB;
  const st: Record<string, number | string> = {
    vmid,
    name: (k.get("hostname") ?? `CT${vmid}`).replace(/\s+/g, ""),
    status: running ? "running" : "stopped",
    type: "lxc",
    cpus: Number(k.get("cpulimit") || k.get("cores") || 2),
    cpu: 0,
    maxmem,
    mem: running ? Math.min(maxmem, 48 * MiB) : 0,
    maxswap: Number(k.get("swap") ?? 512) * MiB,
    swap: 0,
    maxdisk,
    disk: running ? Math.floor(maxdisk / 8) : 0,
    diskread: 0,
    diskwrite: 0,
    netin: 0,
    netout: 0,
    uptime: running ? Math.max(0, Math.floor((Date.now() - (runningSince(ctx, vmid, node) ?? Date.now())) / 1000)) : 0,
  };
  if (running) {
    st["pid"] = 100000 + vmid;
    for (const p of ["pressurecpufull", "pressurecpusome", "pressureiofull", "pressureiosome", "pressurememoryfull", "pressurememorysome"]) st[p] = 0;
  }
  const lock = k.get("lock");
  if (lock) st["lock"] = lock;
  const tags = k.get("tags");
  if (tags) st["tags"] = tags;
  if (k.get("template") === "1") st["template"] = 1;
  return st;
}
