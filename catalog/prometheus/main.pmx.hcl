# Prometheus: metrics collection and time series database.
# One oci_image pulled on the node and one oci_container built from it; data on volumes that an
# image upgrade moves to the new container (docs/oci.md, "Image change: a replace that keeps the data").

locals {
  # The address clients use: the static ip, or the hostname (resolved by your DHCP/DNS server).
  address = var.ip == "dhcp" ? var.hostname : split("/", var.ip)[0]
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
  # The image's own user cannot write to a new volume (owned by root); run as root inside the
  # unprivileged container, which is still an unprivileged uid on the host.
  user = "0"
  rootfs {
    storage = var.storage
    size    = var.rootfs_size
  }
  network "eth0" {
    bridge = var.bridge
    ip     = var.ip
    gw     = var.gateway
  }
  mount "data" {
    storage        = var.storage
    size           = var.data_size
    path           = "/prometheus"
    keep_on_remove = true
  }
  started = var.started
}
