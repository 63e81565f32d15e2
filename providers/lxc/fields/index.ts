// The field tables, one per block kind, and what derives from them (see types.ts).
export * from "./types.js";
export { SCALAR_FIELDS, TOP, type TopField } from "./top.js";
export { ROOTFS, MOUNT_OPTIONS, IDMAP } from "./rootfs.js";
export { NETWORK, NETWORK_FIXED, NETWORK_LABEL_KEY } from "./network.js";
export { FEATURES, STARTUP } from "./features.js";
export { MOUNT, DEVICE, GPU } from "./mount.js";
export { blockSchema, canonFields, importedFields, printProps, readProps, resizeOnly, shapeOf, topShape } from "./derive.js";
export { IMPORT_DEFAULTS, NOT_RESETTABLE, REPLACED_WHEN_CHANGED, RESET_VALUE, SENSITIVE, SENSITIVE_ATTRIBUTES, fieldOfKey, waitsForRestart } from "./classify.js";
