# Inputs of the navidrome catalog module (catalog/navidrome/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs navidrome."
}

variable "hostname" {
  type        = string
  default     = "navidrome"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "docker.io/deluan/navidrome:0.58.0@sha256:2ae037d464de9f802d047165a13b1c9dc2bdbb14920a317ae4aef1233adc0a3c"
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

variable "data_size" {
  type        = string
  default     = "4G"
  description = "Size of the data volume at /data: the database, cache and settings. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "music_path" {
  type        = string
  description = "Host directory mounted at /music: the host directory holding your music (read-only)."
}

variable "music_idmap" {
  type        = string
  default     = "u:1000:1000:1;g:1000:1000:1"
  description = "How host ids of music_path map into the unprivileged container: by default host uid/gid 1000 (the usual first user) appears as 1000 inside; \"passthrough\" maps the whole range (docs/mounts-and-devices.md)."
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

variable "base_url" {
  type        = string
  default     = null
  description = "Path prefix when served behind a reverse proxy, e.g. /music (ND_BASEURL)."
}

variable "scan_schedule" {
  type        = string
  default     = "1h"
  description = "How often the library is rescanned (ND_SCANSCHEDULE)."
  nullable    = false
}
