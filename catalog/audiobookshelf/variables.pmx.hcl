# Inputs of the audiobookshelf catalog module (catalog/audiobookshelf/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs audiobookshelf."
}

variable "hostname" {
  type        = string
  default     = "audiobookshelf"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "ghcr.io/advplyr/audiobookshelf:2.29.0"
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

variable "metadata_size" {
  type        = string
  default     = "4G"
  description = "Size of the metadata volume at /metadata: covers, cache and backups. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "audiobooks_path" {
  type        = string
  description = "Host directory mounted at /audiobooks: the host directory holding your audiobooks."
}

variable "audiobooks_idmap" {
  type        = string
  default     = "u:1000:1000:1;g:1000:1000:1"
  description = "How host ids of audiobooks_path map into the unprivileged container: by default host uid/gid 1000 (the usual first user) appears as 1000 inside; \"passthrough\" maps the whole range (docs/mounts-and-devices.md)."
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
