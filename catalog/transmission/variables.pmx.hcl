# Inputs of the transmission catalog module (catalog/transmission/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs transmission."
}

variable "hostname" {
  type        = string
  default     = "transmission"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "lscr.io/linuxserver/transmission:4.0.6-r6-ls326@sha256:452310cb020c036d293e879698097acb6cc653db2676610bf8e3b58a3f4d2af5"
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
  default     = "1G"
  description = "Size of the config volume at /config: settings and torrent state. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "downloads_path" {
  type        = string
  description = "Host directory mounted at /downloads: the host directory downloads are written to."
}

variable "downloads_idmap" {
  type        = string
  default     = "u:1000:1000:1;g:1000:1000:1"
  description = "How host ids of downloads_path map into the unprivileged container: by default host uid/gid 1000 (the usual first user) appears as 1000 inside; \"passthrough\" maps the whole range (docs/mounts-and-devices.md)."
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

variable "web_user" {
  type        = string
  default     = null
  description = "User name of the web interface (USER; set together with web_password)."
}

variable "web_password" {
  type        = string
  default     = null
  description = "Password of the web interface (PASS). Unset: no login."
  sensitive   = true
}
