// `pmxform sim init DIR [--nodes a,b] [--latency-ms N] [--zfs-pool tank] [--force]`: creates a simulated cluster.
import { initSim, simBin } from "../sim/init.js"; // not index.js: that pulls in the conf parser (~15 ms)

export async function run(opts: Record<string, unknown>, args: string[]): Promise<number> {
  const dir = args[0];
  if (!dir) {
    process.stderr.write("Error: missing DIR\n\nUsage: pmxform sim init DIR [--nodes pve1,pve2] [--latency-ms N] [--zfs-pool tank] [--force]\n");
    return 1;
  }
  const nodesOpt = opts["nodes"];
  const nodes =
    typeof nodesOpt === "string"
      ? nodesOpt
          .split(",")
          .map((n) => n.trim())
          .filter(Boolean)
      : Array.isArray(nodesOpt)
        ? nodesOpt.map(String)
        : undefined;
  const latency = Number(opts["latencyMs"] ?? 0);
  if (!Number.isFinite(latency) || latency < 0) {
    process.stderr.write(`Error: --latency-ms must be a non-negative number, got '${String(opts["latencyMs"])}'\n`);
    return 1;
  }
  for (const n of nodes ?? []) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(n)) {
      process.stderr.write(`Error: invalid node name '${n}'; use letters, digits and '-'\n`);
      return 1;
    }
  }
  const poolOpt = opts["zfsPool"];
  const zfsPools = (Array.isArray(poolOpt) ? poolOpt.map(String) : typeof poolOpt === "string" ? [poolOpt] : []).flatMap((p) =>
    p
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const p of zfsPools) {
    // zfs_namecheck.c pool_namecheck: a letter first, then letters, digits, '_', '-', '.', ':', ' '; "mirror", "raidz", "spare", "log" are reserved.
    if (!/^[A-Za-z][A-Za-z0-9_.:-]*$/.test(p) || /^(mirror|raidz|draid|spare|log)/.test(p)) {
      process.stderr.write(`Error: invalid ZFS pool name '${p}'; start with a letter, then letters, digits, '_', '-', '.', ':'\n`);
      return 1;
    }
  }
  try {
    const root = initSim(dir, { ...(nodes ? { nodes } : {}), latencyMs: latency, force: opts["force"] === true, ...(zfsPools.length ? { zfsPools } : {}) });
    process.stdout.write(`Simulated cluster ready in ${root}\n  pct: ${simBin(root, "pct")}\n`);
    return 0;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code && err.path ? `cannot create ${err.path} (${err.code}). Choose a directory you can write to, on a normal file system.` : err.message;
    process.stderr.write(`Error: ${why}\n`);
    return 1;
  }
}
