# Free software media server: stream your films, series and music to any device.
# One oci_image pulled on the node and one oci_container built from it; data on volumes that an
# image upgrade moves to the new container (docs/oci.md, "Image change: a replace that keeps the data").

locals {
  # The address clients use: the static ip, or the hostname (resolved by your DHCP/DNS server).
  address = var.ip == "dhcp" ? var.hostname : split("/", var.ip)[0]
  # There is no way yet to write a gpu block only when var.gpu is set (no dynamic blocks), so the
  # GPU is passed with the raw lines gpu { legacy = true } writes (providers/mounts/gpu.ts,
  # legacyGpuLines): the cgroup2 allow rules and bind mounts of card0 (226:0) and renderD128 (226:128).
  gpu_lines = var.gpu == null ? [] : [
    "lxc.cgroup2.devices.allow: c 226:0 rwm",
    "lxc.cgroup2.devices.allow: c 226:128 rwm",
    "lxc.mount.entry: /dev/dri/card0 dev/dri/card0 none bind,optional,create=file",
    "lxc.mount.entry: /dev/dri/renderD128 dev/dri/renderD128 none bind,optional,create=file",
  ]
}

resource "oci_image" "app" {
  node       = var.node
  storage    = var.image_storage
  reference  = var.image
  tls_verify = var.image_tls_verify
}

resource "oci_container" "app" {
  node     = var.node
  image    = oci_image.app.volid
  hostname = var.hostname
  cores    = var.cores
  memory   = var.memory
  rootfs {
    storage = var.storage
    size    = var.rootfs_size
  }
  network "eth0" {
    bridge = var.bridge
    ip     = var.ip
    gw     = var.gateway
  }
  # Every key is one the app reads (README.md, "Environment"); unset optional inputs are left out.
  env = { for k, v in {
    JELLYFIN_PublishedServerUrl = var.published_url
  } : k => v if v != null }
  mount "config" {
    storage        = var.storage
    size           = var.config_size
    path           = "/config"
    keep_on_remove = true
  }
  mount "cache" {
    storage        = var.storage
    size           = var.cache_size
    path           = "/cache"
    keep_on_remove = true
  }
  mount "media" {
    host_path = var.media_path
    path      = "/media"
    idmap     = var.media_idmap
    read_only = true
  }
  raw_lxc = local.gpu_lines
  started = var.started
}
