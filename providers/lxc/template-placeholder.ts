// The template an imported container's generated configuration names: Proxmox records no
// template in a container's conf, so import writes this placeholder, and neither the diff nor the
// node checks treat it as a template to replace from or to look for on the node.
export const TEMPLATE_UNKNOWN_AT_IMPORT = "local:vztmpl/unknown-at-import.tar.zst";
