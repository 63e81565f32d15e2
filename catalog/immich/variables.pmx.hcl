# Inputs of the immich catalog module (README.md describes each). The database password is a
# sensitive variable without a default; everything else has a default.

variable "node" {
  type        = string
  description = "The Proxmox node that runs the four containers."
}

variable "name_prefix" {
  type        = string
  default     = "immich"
  description = "Hostnames are PREFIX-server, PREFIX-postgres, PREFIX-redis and PREFIX-ml."
  nullable    = false
}

variable "server_image" {
  type        = string
  default     = "ghcr.io/immich-app/immich-server:v1.137.3@sha256:e517f806457057d44695152a0af2dfa094225a7d85eb37f518925e68864c658d"
  description = "The Immich server image, pinned by digest. Server and machine learning must be the same release."
  nullable    = false
}

variable "ml_image" {
  type        = string
  default     = "ghcr.io/immich-app/immich-machine-learning:v1.137.3@sha256:ef517c041fa4a6a84a6c3c4f88a1124058e686c9c92bf09a973e7e60c3c3ea1e"
  description = "The machine-learning image, pinned by digest (same release as the server)."
  nullable    = false
}

variable "postgres_image" {
  type        = string
  default     = "ghcr.io/immich-app/postgres:14-vectorchord0.3.0-pgvectors0.2.0@sha256:f36625fffae9611b0e6e28cc1a9bb573d20a9d3cc5e62ab0ff1a19874e34e1f4"
  description = "Immich's PostgreSQL with the VectorChord extension, pinned by digest."
  nullable    = false
}

variable "redis_image" {
  type        = string
  default     = "docker.io/valkey/valkey:8-alpine@sha256:e5e6cbd527c9848b263b956872184df549af888112823cca71812d787cd06d60"
  description = "The Redis-compatible cache (Valkey), pinned by digest."
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

variable "library_size" {
  type        = string
  default     = "64G"
  description = "Size of the library volume (uploads, thumbnails, encoded videos) at /data in the server. Grow it by raising this."
  nullable    = false
}

variable "postgres_size" {
  type        = string
  default     = "8G"
  description = "Size of the database volume."
  nullable    = false
}

variable "ml_cache_size" {
  type        = string
  default     = "8G"
  description = "Size of the machine-learning model cache volume."
  nullable    = false
}

variable "bridge" {
  type        = string
  default     = "vmbr0"
  description = "Bridge every container's eth0 is attached to."
  nullable    = false
}

variable "ip" {
  type        = string
  default     = "dhcp"
  description = "The server's IPv4 address in CIDR notation, or \"dhcp\"."
  nullable    = false
  validation {
    condition     = var.ip == "dhcp" || can(cidrhost(var.ip, 0))
    error_message = "ip must be \"dhcp\" or an address in CIDR notation such as 192.0.2.10/24."
  }
}

variable "postgres_ip" {
  type        = string
  default     = "dhcp"
  description = "The database container's address (CIDR) or \"dhcp\" (then the server reaches it by hostname)."
  nullable    = false
  validation {
    condition     = var.postgres_ip == "dhcp" || can(cidrhost(var.postgres_ip, 0))
    error_message = "postgres_ip must be \"dhcp\" or an address in CIDR notation."
  }
}

variable "redis_ip" {
  type        = string
  default     = "dhcp"
  description = "The cache container's address (CIDR) or \"dhcp\"."
  nullable    = false
  validation {
    condition     = var.redis_ip == "dhcp" || can(cidrhost(var.redis_ip, 0))
    error_message = "redis_ip must be \"dhcp\" or an address in CIDR notation."
  }
}

variable "ml_ip" {
  type        = string
  default     = "dhcp"
  description = "The machine-learning container's address (CIDR) or \"dhcp\"."
  nullable    = false
  validation {
    condition     = var.ml_ip == "dhcp" || can(cidrhost(var.ml_ip, 0))
    error_message = "ml_ip must be \"dhcp\" or an address in CIDR notation."
  }
}

variable "gateway" {
  type        = string
  default     = null
  description = "IPv4 gateway (with static addresses)."
}

variable "machine_learning" {
  type        = bool
  default     = true
  description = "Run the machine-learning container (smart search, faces). false: the server runs without it."
  nullable    = false
}

variable "cores" {
  type        = number
  default     = 4
  description = "CPU cores of the server."
  nullable    = false
}

variable "memory" {
  type        = number
  default     = 4096
  description = "Memory of the server in MiB."
  nullable    = false
}

variable "ml_cores" {
  type        = number
  default     = 4
  description = "CPU cores of the machine-learning container."
  nullable    = false
}

variable "ml_memory" {
  type        = number
  default     = 4096
  description = "Memory of the machine-learning container in MiB."
  nullable    = false
}

variable "db_username" {
  type        = string
  default     = "postgres"
  description = "Database user (POSTGRES_USER in the database, DB_USERNAME in the server)."
  nullable    = false
}

variable "db_name" {
  type        = string
  default     = "immich"
  description = "Database name (POSTGRES_DB / DB_DATABASE_NAME)."
  nullable    = false
}

variable "db_password" {
  type        = string
  description = "Database password (POSTGRES_PASSWORD / DB_PASSWORD). No default: choose one (letters and digits only, as Immich recommends)."
  sensitive   = true
  validation {
    condition     = can(regex("^[A-Za-z0-9]+$", var.db_password))
    error_message = "db_password must use only letters and digits (Immich's documentation: other characters break the connection URL)."
  }
}

variable "timezone" {
  type        = string
  default     = "Etc/UTC"
  description = "Time zone of the server (TZ), used for dates of photos without time zone information."
  nullable    = false
}

variable "gpu" {
  type        = string
  default     = null
  description = "GPU for hardware video transcoding in the server: \"intel\" or \"amd\", or null for none."
  validation {
    condition     = var.gpu == null || contains(["intel", "amd"], coalesce(var.gpu, "none"))
    error_message = "gpu must be null or one of intel, amd."
  }
}

variable "started" {
  type        = bool
  default     = true
  description = "Whether the containers run."
  nullable    = false
}
