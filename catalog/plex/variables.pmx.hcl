# Inputs of the plex catalog module (catalog/plex/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs plex."
}

variable "hostname" {
  type        = string
  default     = "plex"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "docker.io/plexinc/pms-docker:1.43.3.10861-07dfddaeb@sha256:5bc1d13f48da6366f46aaf2a3ce1a6292897eadc1f8efcbbd7321d30e94f2ed4"
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

variable "config_size" {
  type        = string
  default     = "16G"
  description = "Size of the config volume at /config: Plex database and metadata. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "transcode_size" {
  type        = string
  default     = "8G"
  description = "Size of the transcode volume at /transcode: transcoder scratch space. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "media_path" {
  type        = string
  description = "Host directory mounted at /data: the host directory holding your media (read-only)."
}

variable "media_idmap" {
  type        = string
  default     = "u:1000:1000:1;g:1000:1000:1"
  description = "How host ids of media_path map into the unprivileged container: by default host uid/gid 1000 (the usual first user) appears as 1000 inside; \"passthrough\" maps the whole range (docs/mounts-and-devices.md)."
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
  default     = 4
  description = "CPU cores."
  nullable    = false
}

variable "memory" {
  type        = number
  default     = 4096
  description = "Memory in MiB."
  nullable    = false
}

variable "started" {
  type        = bool
  default     = true
  description = "Whether the container runs."
  nullable    = false
}

variable "gpu" {
  type        = string
  default     = null
  description = "GPU for hardware acceleration: \"intel\" or \"amd\" (the node's /dev/dri/card0 and renderD128), or null for none."
  validation {
    condition     = var.gpu == null || contains(["intel","amd"], coalesce(var.gpu, "none"))
    error_message = "gpu must be null or one of intel, amd."
  }
}

variable "claim_token" {
  type        = string
  default     = null
  description = "Claim token from https://plex.tv/claim (PLEX_CLAIM, read once on first start to link the server to your account; valid 4 minutes)."
  sensitive   = true
}

variable "timezone" {
  type        = string
  default     = "Etc/UTC"
  description = "Time zone (TZ)."
  nullable    = false
}

variable "advertise_url" {
  type        = string
  default     = null
  description = "Extra URL the server advertises, e.g. http://192.0.2.10:32400/ (ADVERTISE_IP, read by the pms-docker init scripts)."
}
