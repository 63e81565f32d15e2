# Inputs of the mosquitto catalog module (catalog/mosquitto/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs mosquitto."
}

variable "hostname" {
  type        = string
  default     = "mosquitto"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "docker.io/library/eclipse-mosquitto:2.0.22@sha256:212f89e1eaeb2c322d6441b64396e3346026674db8fa9c27beac293405c32b3c"
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
  default     = "1G"
  description = "Size of the root filesystem (the image's files)."
  nullable    = false
}

variable "data_size" {
  type        = string
  default     = "1G"
  description = "Size of the data volume at /mosquitto/data: retained messages and persistent sessions. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "config_size" {
  type        = string
  default     = "1G"
  description = "Size of the config volume at /mosquitto/config: your own mosquitto.conf, passwd and acl files. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "log_size" {
  type        = string
  default     = "1G"
  description = "Size of the log volume at /mosquitto/log: log files, when your mosquitto.conf writes them (the image declares the volume). Grow it by raising this; shrinking is refused."
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
  default     = 256
  description = "Memory in MiB."
  nullable    = false
}

variable "started" {
  type        = bool
  default     = true
  description = "Whether the container runs."
  nullable    = false
}

variable "config_file" {
  type        = string
  default     = "/mosquitto-no-auth.conf"
  description = "The broker's configuration file. The default (shipped in the image) listens on 1883 without authentication; put a mosquitto.conf with `password_file` into the config volume and set \"/mosquitto/config/mosquitto.conf\" to require logins."
  nullable    = false
}
