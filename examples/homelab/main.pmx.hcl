# A small homelab on the built-in simulator: a reverse proxy, two app containers created
# with for_each, and a database, on one node. `pmxform apply` creates the simulator in
# .pmxform-sim the first time. Point `node "pve1"` at a real node with ssh = "root@HOST"
# or local = true when you are ready.

variable "bridge" {
  type    = string
  default = "vmbr0"
}

variable "apps" {
  type = map(object({
    cores  = number
    memory = number
  }))
  default = {
    wiki  = { cores = 1, memory = 512 }
    media = { cores = 2, memory = 2048 }
  }
}

locals {
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  domain   = "home.arpa"
}

proxmox {
  node "pve1" {
    sim = ".pmxform-sim"
  }
}

resource "lxc_container" "proxy" {
  node        = "pve1"
  vmid        = 110
  hostname    = "proxy"
  description = "Reverse proxy for ${local.domain}"
  template    = local.template
  cores       = 1
  memory      = 256
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
  network "eth0" {
    bridge = var.bridge
    ip     = "10.0.0.10/24"
    gw     = "10.0.0.1"
  }
  onboot  = true
  started = true
  tags    = ["edge", "web"]
}

resource "lxc_container" "app" {
  for_each = var.apps

  node     = "pve1"
  hostname = "${each.key}.${local.domain}"
  template = local.template
  cores    = each.value.cores
  memory   = each.value.memory
  rootfs {
    storage = "local-lvm"
    size    = "8G"
  }
  network "eth0" {
    bridge = var.bridge
    ip     = "dhcp"
  }
  features {
    nesting = true
  }
  started    = true
  tags       = ["app", each.key]
  depends_on = [lxc_container.proxy]
}

resource "lxc_container" "db" {
  node     = "pve1"
  hostname = "db"
  template = local.template
  memory   = 1024
  rootfs {
    storage = "local-lvm"
    size    = "16G"
  }
  network "eth0" {
    bridge = var.bridge
    ip     = "10.0.0.20/24"
    gw     = "10.0.0.1"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "10G"
    path    = "/var/lib/postgresql"
    backup  = true
  }
  started = true
  tags    = ["db"]

  lifecycle {
    prevent_destroy = false
  }
}

output "proxy_vmid" {
  value = lxc_container.proxy.vmid
}

output "app_vmids" {
  value = { for name, ct in lxc_container.app : name => ct.vmid }
}
