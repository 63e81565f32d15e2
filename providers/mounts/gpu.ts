// The `gpu` block expands to the devN passthrough entries each vendor's userspace needs.
import type { Obj } from "./slots.js";

/** Named device entries (`gpu.renderD128`, ...) merged into the container's device map. */
export function gpuDevices(gpu: Obj | undefined): Record<string, Obj> {
  if (!gpu) return {};
  const index = typeof gpu["index"] === "number" ? gpu["index"] : 0;
  const access: Obj = typeof gpu["gid"] === "number" ? { gid: gpu["gid"], mode: "0660" } : { mode: "0666" };
  const out: Record<string, Obj> = {};
  const add = (path: string) => {
    out[`gpu.${path.slice("/dev/".length).replace(/\//g, ".")}`] = { path, ...access };
  };
  if (gpu["vendor"] === "nvidia") {
    add(`/dev/nvidia${index}`);
    for (const p of ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-caps/nvidia-cap1", "/dev/nvidia-caps/nvidia-cap2"]) add(p);
  } else {
    if (gpu["render_only"] !== true) add(`/dev/dri/card${index}`);
    add(`/dev/dri/renderD${128 + index}`);
  }
  return out;
}
