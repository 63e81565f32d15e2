# A fresh Proxmox node's first day: the template is part of the configuration (pveam downloads
# it, checking its sha512 sum), and the container is created from it once it is there. Run
# `pmxform nodes` first to see the node's storages, bridges and templates; plan refuses a
# storage, bridge or template the node does not have, with the closest name it does.

proxmox {
  node "pve1" {
    sim = ".pmxform-sim"
  }
}

resource "lxc_template" "debian13" {
  node     = "pve1"
  storage  = "local"
  template = "debian-13-standard_13.1-2_amd64.tar.zst"
}

resource "lxc_container" "first" {
  node     = "pve1"
  hostname = "first"
  template = lxc_template.debian13.volid
  memory   = 512
  started  = true

  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }

  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
}

output "template" {
  value = lxc_template.debian13.volid
}
