# A NAS and its media server on one node: ZFS datasets tuned by profile on the `tank` pool, and a
# Jellyfin OCI container that reads the media dataset (read-only) and transcodes on the Intel GPU.
# Against the simulator, create it with the pool first, then do what you would do once on a real
# node for the SMB share: end smb.conf with the include line of pmxform's shares (docs/storage.md):
#   pmxform sim init .pmxform-sim --zfs-pool tank
#   echo 'include = /etc/samba/pmxform.conf' >> .pmxform-sim/nodes/pve1/etc/samba/smb.conf
#   pmxform apply -var registry=HOST:PORT     (a registry holding jellyfin/jellyfin:10, see docs/oci.md)
# On a real node, drop the sim line for ssh = "root@..." and point the image at docker.io.
variable "registry" { default = "127.0.0.1:5000" }
variable "jellyfin_image" { default = "jellyfin/jellyfin:10" }

proxmox {
  node "pve1" { sim = ".pmxform-sim" }
}

# Films and series: 1M records, no access-time writes, only metadata cached (see docs/storage.md).
resource "zfs_dataset" "media" {
  node    = "pve1"
  name    = "tank/media"
  profile = "media"
  quota   = "4T"
}

resource "zfs_dataset" "photos" {
  node    = "pve1"
  name    = "tank/photos"
  profile = "photos"
  # The family's photo app runs unprivileged as uid 1000: host uid 101000 owns the directory.
  owner {
    uid          = 1000
    gid          = 1000
    unprivileged = true
  }
}

# Jellyfin's /config: written by the container's root, host uid 100000 in an unprivileged container.
resource "zfs_dataset" "appdata" {
  node    = "pve1"
  name    = "tank/appdata/jellyfin"
  profile = "appdata"
  owner {
    uid          = 0
    gid          = 0
    unprivileged = true
  }
}

resource "oci_image" "jellyfin" {
  node       = "pve1"
  storage    = "local"
  reference  = "${var.registry}/${var.jellyfin_image}"
  tls_verify = false
}

resource "oci_container" "jellyfin" {
  node     = "pve1"
  image    = oci_image.jellyfin.volid
  hostname = "jellyfin"
  memory   = 2048
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
  # By reference: the datasets are created (and chowned) before the container.
  mount "media" {
    host_path = zfs_dataset.media.mountpoint
    path      = "/media"
    read_only = true
  }
  mount "config" {
    host_path = zfs_dataset.appdata.mountpoint
    path      = "/config"
  }
  gpu {
    vendor = "intel"
  }
  started = true
}

# Nightly backups from the other machines land here; sync writes, since a backup must be on disk.
resource "zfs_dataset" "backups" {
  node    = "pve1"
  name    = "tank/backups"
  profile = "backups"
}

# The films for the family's laptops and TV: read-only, guests allowed, home network only.
resource "smb_share" "media" {
  node             = "pve1"
  name             = "media"
  path             = zfs_dataset.media.mountpoint
  comment          = "Films and series"
  read_only        = true
  guest_ok         = true
  allowed_networks = ["192.168.1.0/24"]
}

# The backups dataset exported to the LAN, written by the other machines' root.
resource "nfs_share" "backups" {
  node = "pve1"
  name = "backups"
  path = zfs_dataset.backups.mountpoint
  client "192.168.1.0/24" {
    read_only   = false
    root_squash = false
  }
}

output "media_path" { value = zfs_dataset.media.mountpoint }
output "jellyfin_vmid" { value = oci_container.jellyfin.vmid }
