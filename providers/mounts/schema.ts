// Schemas of the blocks every container type shares: mount "NAME", device "NAME", gpu, and raw
// lxc lines, derived from their field tables (providers/lxc/fields/mount.ts). Semantic checks
// that span several blocks live in validate.ts.
import { DEVICE, GPU, MOUNT, TOP, blockSchema } from "../lxc/fields/index.js";

export const mountSchema = blockSchema({ ...MOUNT, labelled: false });
export const deviceSchema = blockSchema({ ...DEVICE, labelled: false });
export const gpuSchema = blockSchema(GPU);
export const rawLxcSchema = TOP.find((f) => f.attr === "raw_lxc")!.schema!;

export const sharedBlocks = {
  mount: { labelled: MOUNT.labelled },
  device: { labelled: DEVICE.labelled },
  gpu: { labelled: GPU.labelled },
} as const;
