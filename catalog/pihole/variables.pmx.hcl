# Inputs of the pihole catalog module (catalog/pihole/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs pihole."
}

variable "hostname" {
  type        = string
  default     = "pihole"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "docker.io/pihole/pihole:2025.11.0@sha256:7f92ac65506759abb243e5381569d60b73fa0c4725ee47e6df32fde0e904ebbb"
  description = "The OCI image, pinned by digest. Upgrading the app is changing this: the plan replaces the container and keeps its volumes."
  nullable    = false
}

variable "image_storage" {
  type        = string
  default     = "local"
  description = "Storage (content vztmpl) the image archive is pulled into."
  nullable    = false
}

variable "image_tls_verify" {
  type        = bool
  default     = true
  description = "Verify the registry's TLS certificate (false only for a private plain-HTTP registry)."
  nullable    = false
}

variable "storage" {
  type        = string
  default     = "local-lvm"
  description = "Storage for the root filesystem and the data volumes."
  nullable    = false
}

variable "rootfs_size" {
  type        = string
  default     = "2G"
  description = "Size of the root filesystem (the image's files)."
  nullable    = false
}

variable "config_size" {
  type        = string
  default     = "2G"
  description = "Size of the config volume at /etc/pihole: gravity database, lists and pihole.toml. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "bridge" {
  type        = string
  default     = "vmbr0"
  description = "Bridge the container's eth0 is attached to."
  nullable    = false
}

variable "ip" {
  type        = string
  default     = "dhcp"
  description = "IPv4 address in CIDR notation (\"192.0.2.10/24\"), or \"dhcp\"."
  nullable    = false
  validation {
    condition     = var.ip == "dhcp" || can(cidrhost(var.ip, 0))
    error_message = "ip must be \"dhcp\" or an address in CIDR notation such as 192.0.2.10/24."
  }
}

variable "gateway" {
  type        = string
  default     = null
  description = "IPv4 gateway (with a static ip)."
}

variable "cores" {
  type        = number
  default     = 1
  description = "CPU cores."
  nullable    = false
}

variable "memory" {
  type        = number
  default     = 512
  description = "Memory in MiB."
  nullable    = false
}

variable "started" {
  type        = bool
  default     = true
  description = "Whether the container runs."
  nullable    = false
}

variable "web_password" {
  type        = string
  description = "Password of the web interface and API (FTLCONF_webserver_api_password). No default: choose one."
  sensitive   = true
  nullable    = false
}

variable "upstream_dns" {
  type        = string
  default     = "9.9.9.9;149.112.112.112"
  description = "Upstream DNS servers, separated by `;` (FTLCONF_dns_upstreams)."
  nullable    = false
}

variable "timezone" {
  type        = string
  default     = "Etc/UTC"
  description = "Time zone (TZ)."
  nullable    = false
}
