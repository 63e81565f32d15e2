# The architecture example, in HCL. Its twin in ../yaml/main.pmx.yaml decodes to the same model.
variable "bridge" {
  default = "vmbr0"
}

proxmox {
  node "pve1" {
    sim = ".pmxform-sim"
  }
}

resource "oci_image" "nginx" {
  node      = "pve1"
  storage   = "local"
  reference = "docker.io/library/nginx:1.29"
}

resource "lxc_container" "web" {
  node     = "pve1"
  vmid     = 120
  hostname = "web"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  cores    = 2
  memory   = 1024
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
  mount "media" {
    host_path = "/tank/media"
    path      = "/media"
    read_only = true
  }
  gpu {
    vendor = "intel"
  }
  started = true
  tags    = ["web", "prod"]
}

resource "oci_container" "proxy" {
  node  = "pve1"
  image = oci_image.nginx.volid
  env   = { NGINX_PORT = "8080" }
}

output "web_vmid" {
  value = lxc_container.web.vmid
}
