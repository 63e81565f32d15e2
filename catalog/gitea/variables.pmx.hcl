# Inputs of the gitea catalog module (catalog/gitea/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs gitea."
}

variable "hostname" {
  type        = string
  default     = "gitea"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "docker.io/gitea/gitea:1.24.3"
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

variable "data_size" {
  type        = string
  default     = "16G"
  description = "Size of the data volume at /data: repositories, app.ini and the SQLite database. Grow it by raising this; shrinking is refused."
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

variable "root_url" {
  type        = string
  default     = null
  description = "The public URL (GITEA__server__ROOT_URL, written into app.ini by the image's environment-to-ini)."
}

variable "uid" {
  type        = number
  default     = 1000
  description = "Uid of the git user (USER_UID)."
  nullable    = false
}

variable "gid" {
  type        = number
  default     = 1000
  description = "Gid of the git user (USER_GID)."
  nullable    = false
}
