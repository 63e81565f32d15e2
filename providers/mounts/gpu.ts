// The `gpu` block: the device nodes each vendor's userspace needs, as devN passthrough entries
// (Proxmox 8.1+) or, with legacy = true, as raw cgroup2 allow + bind-mount lines; and the check
// that the node has those device nodes.
import { isUnknown } from "../../src/config/value.js";
import type { ProviderIssue } from "../../src/provider/types.js";
import type { DeviceNumbers, HostDevices } from "./host-devices.js";
import type { Obj } from "./slots.js";

const NVIDIA_SHARED = ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"];
/** Only on nodes where `nvidia-modprobe -c1` ran (MIG and some CUDA tools use them): passed when present. */
export const NVIDIA_CAPS = ["/dev/nvidia-caps/nvidia-cap1", "/dev/nvidia-caps/nvidia-cap2"];

const indexOf = (gpu: Obj) => (typeof gpu["index"] === "number" ? gpu["index"] : 0);

/**
 * The device nodes a gpu block passes through, in a fixed order; undefined while the block has
 * unknowns. `caps`: the optional nvidia-caps nodes to add (see nvidiaCapsPresent).
 */
export function gpuDevicePaths(gpu: Obj | undefined, caps: readonly string[] = []): string[] | undefined {
  if (!gpu || isUnknown(gpu) || Object.values(gpu).some(isUnknown)) return undefined;
  const index = indexOf(gpu);
  if (gpu["vendor"] === "nvidia") return [`/dev/nvidia${index}`, ...NVIDIA_SHARED, ...NVIDIA_CAPS.filter((c) => caps.includes(c))];
  return [...(gpu["render_only"] === true ? [] : [`/dev/dri/card${index}`]), `/dev/dri/renderD${128 + index}`];
}

export const isLegacy = (gpu: Obj | undefined): boolean => gpu?.["legacy"] === true;

/**
 * The nvidia-caps nodes to pass through: those the node has (its stat during refresh), or, when
 * the node could not be read, those the container already passes (so the plan stays a no-op).
 */
export function nvidiaCapsPresent(devices: HostDevices | undefined, priorPaths: readonly string[] = []): string[] {
  return NVIDIA_CAPS.filter((c) => (devices ? devices.has(c) : priorPaths.includes(c)));
}

/** Named device entries (`gpu.renderD128`, ...) merged into the container's device map (not for legacy). */
export function gpuDevices(gpu: Obj | undefined, caps: readonly string[] = []): Record<string, Obj> {
  const paths = isLegacy(gpu) ? undefined : gpuDevicePaths(gpu, caps);
  if (!gpu || !paths) return {};
  const access: Obj = typeof gpu["gid"] === "number" ? { gid: gpu["gid"], mode: "0660" } : { mode: "0666" };
  const out: Record<string, Obj> = {};
  for (const path of paths) out[`gpu.${path.slice("/dev/".length).replace(/\//g, ".")}`] = { path, ...access };
  return out;
}

/** Numbers the kernel gives these nodes on every host (the rest, e.g. nvidia-uvm, are dynamic). */
function fixedNumbers(path: string): DeviceNumbers | undefined {
  let m = /^\/dev\/dri\/(?:card|renderD)(\d+)$/.exec(path);
  if (m) return { major: 226, minor: Number(m[1]) };
  if (path === "/dev/nvidiactl") return { major: 195, minor: 255 };
  m = /^\/dev\/nvidia(\d+)$/.exec(path);
  if (m) return { major: 195, minor: Number(m[1]) };
  return undefined;
}

/**
 * The pre-8.1 recipe: one `lxc.cgroup2.devices.allow: c MAJ:MIN rwm` per device node, then one
 * bind mount entry each. Undefined when a dynamic device number is not known (node not read).
 */
export function legacyGpuLines(gpu: Obj | undefined, devices: HostDevices | undefined): string[] | undefined {
  const paths = gpuDevicePaths(gpu, nvidiaCapsPresent(devices));
  if (!paths) return undefined;
  const allow: string[] = [];
  for (const p of paths) {
    const n = devices?.get(p) ?? fixedNumbers(p);
    if (!n) return undefined;
    allow.push(`lxc.cgroup2.devices.allow: c ${n.major}:${n.minor} rwm`);
  }
  const mounts = paths.map((p) => `lxc.mount.entry: ${p} ${p.slice(1)} none bind,optional,create=file`);
  return [...allow, ...mounts];
}

/** Error when the node (read during refresh) lacks a device node the gpu block needs (caps are optional). */
export function missingGpuDeviceIssues(gpu: Obj | undefined, node: string, devices: HostDevices | undefined): ProviderIssue[] {
  const paths = gpuDevicePaths(gpu);
  if (!gpu || !paths || !devices) return [];
  const missing = paths.filter((p) => !devices.has(p));
  if (!missing.length) return [];
  const vendor = String(gpu["vendor"]);
  const present = [...devices.keys()].filter((p) => (vendor === "nvidia" ? p.startsWith("/dev/nvidia") : p.startsWith("/dev/dri/"))).sort();
  const fix =
    vendor === "nvidia"
      ? "Install the NVIDIA driver on the node (running nvidia-smi once creates /dev/nvidia*, nvidia-modprobe -u -c0 creates /dev/nvidia-uvm*), or choose another node."
      : `Check index (${present.length ? `the node has ${present.join(", ")}` : "the node has no /dev/dri device at all"}), or choose another node.`;
  return [
    {
      severity: "error",
      path: typeof gpu["index"] === "number" && vendor !== "nvidia" ? ["gpu", "index"] : ["gpu", "vendor"],
      summary: "GPU device not found on the node",
      detail: `Node ${node} has no ${missing.join(", ")} (gpu vendor "${vendor}", index ${indexOf(gpu)}). ${fix}`,
    },
  ];
}
