// The zfs_dataset configuration schema: node, dataset name, profile, properties, the space and
// mount arguments, the owner block, and the destroy opt-in. Values of properties are checked
// against the field table at validate (resource.ts), where the reason can name the property.
import { z } from "zod";
import { bool, enumOf, int, mapOf, pattern, str } from "../../src/provider/schema.js";
import { idmapArg } from "../lxc/fields/rootfs.js";
import { PROFILE_NAMES } from "./profiles.js";

/** zfs_namecheck.c entity_namecheck: pool/child/... of letters, digits, '_', '-', '.', ':', ' '; a pool starts with a letter. */
export const DATASET_NAME = /^[A-Za-z][A-Za-z0-9_.: -]*(\/[A-Za-z0-9_.: -]+)+$/;

const size = () => pattern(/^(none|[0-9.]+[A-Za-z]*)$/, 'a size such as "500G", "1.5T" or "none" is required');

export const zfsDatasetSchema = z.strictObject({
  node: str(),
  name: pattern(DATASET_NAME, 'a dataset name below a pool, such as "tank/media", is required (pool roots are not managed)'),
  profile: enumOf(PROFILE_NAMES).optional(),
  properties: mapOf(str()).optional(),
  quota: size().optional(),
  refquota: size().optional(),
  reservation: size().optional(),
  mountpoint: pattern(/^(\/[^\r\n\u0000]*|none|legacy)$/, 'an absolute path, "none" or "legacy" is required').optional(),
  owner: z
    .strictObject({
      uid: int(0, 4294967294),
      gid: int(0, 4294967294),
      unprivileged: bool().optional(),
      idmap: idmapArg().optional(),
    })
    .optional(),
  destroy_with_data: bool().optional(),
});

export const zfsDatasetBlocks = { owner: { labelled: false } } as const;
