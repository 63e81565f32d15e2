# A media server with a read-only media share and an Intel GPU for hardware transcoding, plus an
# NVIDIA machine-learning container (docs/mounts-and-devices.md). Try it against the simulator:
#   pmxform plan    (the proxmox block below points node pve1 at ./sim)
proxmox {
  node "pve1" {
    sim = "sim"
  }
}

resource "lxc_container" "jellyfin" {
  node     = "pve1"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  hostname = "jellyfin"
  cores    = 4
  memory   = 4096
  rootfs {
    storage = "local-lvm"
    size    = "8G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }

  # Bind mount of the host's media share; files owned by host uid/gid 1000 map to 1000 inside.
  mount "media" {
    host_path     = "/tank/media"
    path          = "/srv/media"
    read_only     = true
    mount_options = ["noatime"]
    idmap         = "u:1000:1000:1;g:1000:1000:1"
  }
  # A volume for the library database; grow it by raising size (shrinking is refused).
  mount "config" {
    storage        = "local-lvm"
    size           = "4G"
    path           = "/var/lib/jellyfin"
    keep_on_remove = true
  }

  # /dev/dri/card0 + /dev/dri/renderD128, owned by the container's "render" group (gid 104 on Debian 12).
  gpu {
    vendor = "intel"
    gid    = 104
  }
  started = true
}

resource "lxc_container" "ml" {
  node     = "pve1"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  hostname = "ml"
  cores    = 8
  memory   = 16384
  rootfs {
    storage = "local-lvm"
    size    = "32G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
  mount "datasets" {
    storage = "local-lvm"
    size    = "100G"
    path    = "/data"
  }
  # /dev/nvidia0, nvidiactl, nvidia-uvm, nvidia-uvm-tools and nvidia-caps/*.
  gpu {
    vendor = "nvidia"
  }
  # The driver's user-space libraries must match the host's; the container needs no AppArmor fence for CUDA IPC.
  raw_lxc = ["lxc.apparmor.profile: unconfined"]
  started = true
}
