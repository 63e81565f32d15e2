# Immich: photo and video backup. Four containers wired by references: the server reaches the
# database, the cache and (optionally) machine learning at the addresses those containers are
# configured with, so pmxform creates them first and the server's env follows them.

locals {
  # A container's address for its peers: its static ip, or its hostname (resolved by DHCP/DNS).
  address          = var.ip == "dhcp" ? "${var.name_prefix}-server" : split("/", var.ip)[0]
  postgres_address = oci_container.postgres.network["eth0"].ip == "dhcp" ? oci_container.postgres.hostname : split("/", oci_container.postgres.network["eth0"].ip)[0]
  redis_address    = oci_container.redis.network["eth0"].ip == "dhcp" ? oci_container.redis.hostname : split("/", oci_container.redis.network["eth0"].ip)[0]
  # See catalog/jellyfin/main.pmx.hcl: the raw lines gpu { legacy = true } writes, until blocks can be conditional.
  gpu_lines = var.gpu == null ? [] : [
    "lxc.cgroup2.devices.allow: c 226:0 rwm",
    "lxc.cgroup2.devices.allow: c 226:128 rwm",
    "lxc.mount.entry: /dev/dri/card0 dev/dri/card0 none bind,optional,create=file",
    "lxc.mount.entry: /dev/dri/renderD128 dev/dri/renderD128 none bind,optional,create=file",
  ]
}

resource "oci_image" "server" {
  node       = var.node
  storage    = var.image_storage
  reference  = var.server_image
  tls_verify = var.image_tls_verify
}

resource "oci_image" "postgres" {
  node       = var.node
  storage    = var.image_storage
  reference  = var.postgres_image
  tls_verify = var.image_tls_verify
}

resource "oci_image" "redis" {
  node       = var.node
  storage    = var.image_storage
  reference  = var.redis_image
  tls_verify = var.image_tls_verify
}

resource "oci_image" "ml" {
  count      = var.machine_learning ? 1 : 0
  node       = var.node
  storage    = var.image_storage
  reference  = var.ml_image
  tls_verify = var.image_tls_verify
}

resource "oci_container" "postgres" {
  node     = var.node
  image    = oci_image.postgres.volid
  hostname = "${var.name_prefix}-postgres"
  cores    = 2
  memory   = 2048
  rootfs {
    storage = var.storage
    size    = "4G"
  }
  network "eth0" {
    bridge = var.bridge
    ip     = var.postgres_ip
    gw     = var.gateway
  }
  # Read by the postgres image's docker-entrypoint.sh when it initialises the database.
  env = {
    POSTGRES_USER        = var.db_username
    POSTGRES_PASSWORD    = var.db_password
    POSTGRES_DB          = var.db_name
    POSTGRES_INITDB_ARGS = "--data-checksums"
  }
  mount "data" {
    storage        = var.storage
    size           = var.postgres_size
    path           = "/var/lib/postgresql/data"
    keep_on_remove = true
  }
  started = var.started
}

resource "oci_container" "redis" {
  node     = var.node
  image    = oci_image.redis.volid
  hostname = "${var.name_prefix}-redis"
  cores    = 1
  memory   = 512
  rootfs {
    storage = var.storage
    size    = "1G"
  }
  network "eth0" {
    bridge = var.bridge
    ip     = var.redis_ip
    gw     = var.gateway
  }
  # The image declares VOLUME /data (Redis's dump file); a volume keeps it across upgrades.
  mount "data" {
    storage        = var.storage
    size           = "1G"
    path           = "/data"
    keep_on_remove = true
  }
  started = var.started
}

resource "oci_container" "ml" {
  count    = var.machine_learning ? 1 : 0
  node     = var.node
  image    = oci_image.ml[0].volid
  hostname = "${var.name_prefix}-ml"
  cores    = var.ml_cores
  memory   = var.ml_memory
  rootfs {
    storage = var.storage
    size    = "8G"
  }
  network "eth0" {
    bridge = var.bridge
    ip     = var.ml_ip
    gw     = var.gateway
  }
  mount "cache" {
    storage        = var.storage
    size           = var.ml_cache_size
    path           = "/cache"
    keep_on_remove = true
  }
  started = var.started
}

resource "oci_container" "server" {
  node     = var.node
  image    = oci_image.server.volid
  hostname = "${var.name_prefix}-server"
  cores    = var.cores
  memory   = var.memory
  rootfs {
    storage = var.storage
    size    = "8G"
  }
  network "eth0" {
    bridge = var.bridge
    ip     = var.ip
    gw     = var.gateway
  }
  # Every key is one the Immich server reads (README.md, "Environment").
  env = merge(
    {
      DB_HOSTNAME           = local.postgres_address
      DB_USERNAME           = var.db_username
      DB_PASSWORD           = var.db_password
      DB_DATABASE_NAME      = var.db_name
      REDIS_HOSTNAME        = local.redis_address
      IMMICH_MEDIA_LOCATION = "/data"
      TZ                    = var.timezone
    },
    var.machine_learning ? {
      IMMICH_MACHINE_LEARNING_URL = "http://${oci_container.ml[0].network["eth0"].ip == "dhcp" ? oci_container.ml[0].hostname : split("/", oci_container.ml[0].network["eth0"].ip)[0]}:3003"
    } : { IMMICH_MACHINE_LEARNING_ENABLED = "false" },
  )
  mount "library" {
    storage        = var.storage
    size           = var.library_size
    path           = "/data"
    keep_on_remove = true
  }
  raw_lxc = local.gpu_lines
  started = var.started
}
