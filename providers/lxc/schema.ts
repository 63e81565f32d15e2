// The lxc_container configuration schema, derived from the field tables (providers/lxc/fields):
// what users may write, with Proxmox's value rules. How each argument changes is in the tables too.
import { z } from "zod";
import { FEATURES, NETWORK, ROOTFS, STARTUP, TOP, blockSchema, topShape } from "./fields/index.js";

export const networkSchema = blockSchema({ ...NETWORK, labelled: false });
export const rootfsSchema = blockSchema(ROOTFS);
export const featuresSchema = blockSchema(FEATURES);
export const startupSchema = blockSchema(STARTUP);

/** Arguments lxc_container and oci_container share. */
export const containerShape = topShape(TOP, { lxcOnly: false });

export const lxcContainerSchema = z.strictObject(topShape(TOP, { lxcOnly: true }));

/** Which arguments are blocks, and which of them are labelled (`network "eth0" { ... }`). */
export const containerBlocks: Readonly<Record<string, { labelled: boolean }>> = Object.fromEntries(TOP.filter((f) => f.block).map((f) => [f.attr, { labelled: f.block!.labelled }]));
