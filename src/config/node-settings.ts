// The settings a `proxmox { node "x" { ... } }` block accepts: one list, so decoding (unknown
// settings with did-you-mean) and docs/targets.md cannot drift from what the targets read.

export const NODE_SETTINGS = ["ssh", "port", "identity_file", "known_hosts_file", "connect_timeout", "ssh_options", "pve_root", "local", "sim", "max_parallel", "retries", "retry_delay_ms"] as const;
