# Inputs of the nextcloud catalog module (catalog/nextcloud/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs nextcloud."
}

variable "hostname" {
  type        = string
  default     = "nextcloud"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "docker.io/library/nextcloud:31.0.7-apache@sha256:a834f43b159890322d471862a3d8ab48602d4a619499aa7bc94b662cf4463e66"
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
  default     = "8G"
  description = "Size of the root filesystem (the image's files)."
  nullable    = false
}

variable "html_size" {
  type        = string
  default     = "32G"
  description = "Size of the html volume at /var/www/html: Nextcloud code, config and user data. Grow it by raising this; shrinking is refused."
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
  default     = 2048
  description = "Memory in MiB."
  nullable    = false
}

variable "started" {
  type        = bool
  default     = true
  description = "Whether the container runs."
  nullable    = false
}

variable "admin_user" {
  type        = string
  default     = "admin"
  description = "Administrator created by the automatic install (NEXTCLOUD_ADMIN_USER)."
  nullable    = false
}

variable "admin_password" {
  type        = string
  description = "Password of that administrator (NEXTCLOUD_ADMIN_PASSWORD). No default: choose one."
  sensitive   = true
  nullable    = false
}

variable "trusted_domains" {
  type        = string
  default     = null
  description = "Space-separated host names Nextcloud answers to (NEXTCLOUD_TRUSTED_DOMAINS)."
}
