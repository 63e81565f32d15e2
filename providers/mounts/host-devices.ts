// The GPU device nodes a Proxmox node has, read once per node during the snapshot with one
// `stat` over every candidate path (no shell, so no globs): which exist, and their numbers.

export interface DeviceNumbers {
  major: number;
  minor: number;
}

/** Device path ("/dev/dri/card0") -> numbers, for the candidates that exist on the node. */
export type HostDevices = Map<string, DeviceNumbers>;

/** GPU indexes checked (the gpu block allows 0..63). */
const MAX_INDEX = 63;

/** Every path a gpu block can expand to. */
export function candidateDevicePaths(): string[] {
  const out: string[] = [];
  for (let i = 0; i <= MAX_INDEX; i++) out.push(`/dev/dri/card${i}`, `/dev/dri/renderD${128 + i}`, `/dev/nvidia${i}`);
  out.push("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-caps/nvidia-cap1", "/dev/nvidia-caps/nvidia-cap2");
  return out;
}

const FORMAT = "%n|%F|%t|%T";

/** `stat -c FORMAT PATH...`: exits 1 when some paths are missing, still printing the others. */
export function deviceStatArgv(statCommand = "stat"): string[] {
  return [statCommand, "-c", FORMAT, ...candidateDevicePaths()];
}

/** Parses the stat output: character devices only, numbers printed in hex (%t/%T). */
export function parseDeviceStat(output: string): HostDevices {
  const out: HostDevices = new Map();
  for (const line of output.split("\n")) {
    const [path, type, major, minor] = line.split("|");
    if (!path || type !== "character special file" || !major || !minor) continue;
    const ma = parseInt(major, 16);
    const mi = parseInt(minor, 16);
    if (Number.isInteger(ma) && Number.isInteger(mi)) out.set(path, { major: ma, minor: mi });
  }
  return out;
}
