# Inputs of the sonarr catalog module (catalog/sonarr/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs sonarr."
}

variable "hostname" {
  type        = string
  default     = "sonarr"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "lscr.io/linuxserver/sonarr:4.0.15"
  description = "The OCI image (tag only: no published digest was found, see README.md). The first plan resolves it to a digest and records it; pin it with @sha256:... to stop tag moves."
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
  description = "Size of the config volume at /config: the database and settings. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "data_path" {
  type        = string
  description = "Host directory mounted at /data: the host directory holding downloads and the series library (one tree, so imports are hard links)."
}

variable "data_idmap" {
  type        = string
  default     = "u:1000:1000:1;g:1000:1000:1"
  description = "How host ids of data_path map into the unprivileged container: by default host uid/gid 1000 (the usual first user) appears as 1000 inside; \"passthrough\" maps the whole range (docs/mounts-and-devices.md)."
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
  default     = 2
  description = "CPU cores."
  nullable    = false
}

variable "memory" {
  type        = number
  default     = 1024
  description = "Memory in MiB."
  nullable    = false
}

variable "started" {
  type        = bool
  default     = true
  description = "Whether the container runs."
  nullable    = false
}

variable "puid" {
  type        = number
  default     = 1000
  description = "User id the app runs as inside the container (linuxserver.io images read PUID)."
  nullable    = false
}

variable "pgid" {
  type        = number
  default     = 1000
  description = "Group id the app runs as (PGID)."
  nullable    = false
}

variable "timezone" {
  type        = string
  default     = "Etc/UTC"
  description = "Time zone (TZ), e.g. Europe/Berlin."
  nullable    = false
}
