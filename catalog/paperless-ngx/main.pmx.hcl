# Paperless-ngx: scan, index and archive documents. Two containers: the web server/worker, and
# the Redis task broker it reaches at the broker container's configured address (a reference, so
# pmxform creates the broker first).

locals {
  address       = var.ip == "dhcp" ? var.hostname : split("/", var.ip)[0]
  redis_address = oci_container.redis.network["eth0"].ip == "dhcp" ? oci_container.redis.hostname : split("/", oci_container.redis.network["eth0"].ip)[0]
}

resource "oci_image" "app" {
  node       = var.node
  storage    = var.image_storage
  reference  = var.image
  tls_verify = var.image_tls_verify
}

resource "oci_image" "redis" {
  node       = var.node
  storage    = var.image_storage
  reference  = var.redis_image
  tls_verify = var.image_tls_verify
}

resource "oci_container" "redis" {
  node     = var.node
  image    = oci_image.redis.volid
  hostname = "${var.hostname}-redis"
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

resource "oci_container" "app" {
  node     = var.node
  image    = oci_image.app.volid
  hostname = var.hostname
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
  # Every key is one Paperless-ngx reads (README.md, "Environment"); an unset url is left out.
  env = { for k, v in {
    PAPERLESS_REDIS          = "redis://${local.redis_address}:6379"
    PAPERLESS_SECRET_KEY     = var.secret_key
    PAPERLESS_ADMIN_USER     = var.admin_user
    PAPERLESS_ADMIN_PASSWORD = var.admin_password
    PAPERLESS_URL            = var.url
    PAPERLESS_OCR_LANGUAGE   = var.ocr_language
    PAPERLESS_TIME_ZONE      = var.timezone
  } : k => v if v != null }
  mount "data" {
    storage        = var.storage
    size           = var.data_size
    path           = "/usr/src/paperless/data"
    keep_on_remove = true
  }
  mount "media" {
    storage        = var.storage
    size           = var.media_size
    path           = "/usr/src/paperless/media"
    keep_on_remove = true
  }
  mount "consume" {
    storage        = var.storage
    size           = var.consume_size
    path           = "/usr/src/paperless/consume"
    keep_on_remove = true
  }
  started = var.started
}
