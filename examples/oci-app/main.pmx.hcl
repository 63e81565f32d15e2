# An application container with its data on a volume, against the simulator.
# Push an image to a local registry first (see docs/oci.md) and name it: pmxform apply -var registry=HOST:PORT
# (test/cli/examples.test.ts does exactly that with a stand-in pmx/app:1), or point reference at Docker Hub.
variable "registry" { default = "127.0.0.1:5000" }

proxmox {
  node "pve1" { sim = ".pmxform-sim" }
}

resource "oci_image" "app" {
  node       = "pve1"
  storage    = "local"
  reference  = "${var.registry}/pmx/app:1"
  tls_verify = false
}

resource "oci_container" "app" {
  node     = "pve1"
  image    = oci_image.app.volid
  hostname = "app"
  rootfs {
    storage = "local-lvm"
    size    = "2G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
  env = {
    APP_MODE = "prod"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
  started = true
}

output "app_vmid" { value = oci_container.app.vmid }
