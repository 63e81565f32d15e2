# Inputs of the vaultwarden catalog module (catalog/vaultwarden/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs vaultwarden."
}

variable "hostname" {
  type        = string
  default     = "vaultwarden"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "docker.io/vaultwarden/server:1.34.3@sha256:84fd8a47f58d79a1ad824c27be0a9492750c0fa5216b35c749863093bfa3c3d7"
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
  default     = "2G"
  description = "Size of the data volume at /data: the vault database, attachments and keys. Grow it by raising this; shrinking is refused."
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

variable "domain" {
  type        = string
  default     = null
  description = "The public URL of the vault, e.g. https://vault.example.com (DOMAIN; needed for WebAuthn and e-mail links)."
}

variable "admin_token" {
  type        = string
  default     = null
  description = "Token for the /admin page (ADMIN_TOKEN; an Argon2 PHC string from `vaultwarden hash`). Unset: the admin page is disabled."
  sensitive   = true
}

variable "signups_allowed" {
  type        = bool
  default     = false
  description = "Whether anyone may create an account (SIGNUPS_ALLOWED)."
  nullable    = false
}
