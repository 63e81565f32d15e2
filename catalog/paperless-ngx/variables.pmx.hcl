# Inputs of the paperless-ngx catalog module (README.md describes each). The secret key and the
# administrator's password are sensitive variables without defaults.

variable "node" {
  type        = string
  description = "The Proxmox node that runs Paperless-ngx and its Redis broker."
}

variable "hostname" {
  type        = string
  default     = "paperless"
  description = "The web container's hostname (the broker is HOSTNAME-redis); the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "ghcr.io/paperless-ngx/paperless-ngx:2.19.4@sha256:03080fba94dda46897408176062f1bdcbad61e89376ddc5cdc6399cee00a7d8e"
  description = "The Paperless-ngx image, pinned by digest. Upgrading is changing this: the plan replaces the container and keeps its volumes."
  nullable    = false
}

variable "redis_image" {
  type        = string
  default     = "docker.io/library/redis:8@sha256:b6cd50158f60fec3a8638e485385284bcfb1495617281adba2ceb1b020eb281f"
  description = "The Redis image of the task broker, pinned by digest."
  nullable    = false
}

variable "image_storage" {
  type        = string
  default     = "local"
  description = "Storage (content vztmpl) the image archives are pulled into."
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
  description = "Storage for root filesystems and data volumes."
  nullable    = false
}

variable "data_size" {
  type        = string
  default     = "4G"
  description = "Size of the data volume (the SQLite database and the search index) at /usr/src/paperless/data."
  nullable    = false
}

variable "media_size" {
  type        = string
  default     = "32G"
  description = "Size of the media volume (original and archived documents) at /usr/src/paperless/media."
  nullable    = false
}

variable "consume_size" {
  type        = string
  default     = "4G"
  description = "Size of the consume volume (documents dropped here are imported) at /usr/src/paperless/consume."
  nullable    = false
}

variable "bridge" {
  type        = string
  default     = "vmbr0"
  description = "Bridge both containers' eth0 is attached to."
  nullable    = false
}

variable "ip" {
  type        = string
  default     = "dhcp"
  description = "The web container's IPv4 address in CIDR notation, or \"dhcp\"."
  nullable    = false
  validation {
    condition     = var.ip == "dhcp" || can(cidrhost(var.ip, 0))
    error_message = "ip must be \"dhcp\" or an address in CIDR notation such as 192.0.2.10/24."
  }
}

variable "redis_ip" {
  type        = string
  default     = "dhcp"
  description = "The broker's address (CIDR) or \"dhcp\" (then Paperless reaches it by hostname)."
  nullable    = false
  validation {
    condition     = var.redis_ip == "dhcp" || can(cidrhost(var.redis_ip, 0))
    error_message = "redis_ip must be \"dhcp\" or an address in CIDR notation."
  }
}

variable "gateway" {
  type        = string
  default     = null
  description = "IPv4 gateway (with static addresses)."
}

variable "cores" {
  type        = number
  default     = 2
  description = "CPU cores of the web container (OCR is CPU-bound)."
  nullable    = false
}

variable "memory" {
  type        = number
  default     = 2048
  description = "Memory of the web container in MiB."
  nullable    = false
}

variable "secret_key" {
  type        = string
  description = "Django secret key (PAPERLESS_SECRET_KEY): a long random string. No default."
  sensitive   = true
}

variable "admin_user" {
  type        = string
  default     = "admin"
  description = "Administrator created on first start (PAPERLESS_ADMIN_USER)."
  nullable    = false
}

variable "admin_password" {
  type        = string
  description = "That administrator's password (PAPERLESS_ADMIN_PASSWORD). No default: choose one."
  sensitive   = true
}

variable "url" {
  type        = string
  default     = null
  description = "The public URL, e.g. https://paperless.example.com (PAPERLESS_URL; sets the trusted origins)."
}

variable "ocr_language" {
  type        = string
  default     = "eng"
  description = "Tesseract language(s) of your documents, e.g. deu+eng (PAPERLESS_OCR_LANGUAGE)."
  nullable    = false
}

variable "timezone" {
  type        = string
  default     = "UTC"
  description = "Time zone (PAPERLESS_TIME_ZONE)."
  nullable    = false
}

variable "started" {
  type        = bool
  default     = true
  description = "Whether the containers run."
  nullable    = false
}
