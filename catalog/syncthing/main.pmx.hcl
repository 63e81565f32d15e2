# Syncthing: continuous peer-to-peer file synchronisation.
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
    PUID         = var.puid == null ? null : tostring(var.puid)
    PGID         = var.pgid == null ? null : tostring(var.pgid)
    STGUIADDRESS = "0.0.0.0:8384"
  } : k => v if v != null }
  mount "data" {
    storage        = var.storage
    size           = var.data_size
    path           = "/var/syncthing"
    keep_on_remove = true
  }
  started = var.started
}
