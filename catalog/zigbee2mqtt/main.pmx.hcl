# Zigbee2MQTT: use Zigbee devices without the vendor's bridge, through MQTT.
# One oci_image pulled on the node and one oci_container built from it; data on volumes that an
# image upgrade moves to the new container (docs/oci.md, "Image change: a replace that keeps the data").

locals {
  # The address clients use: the static ip, or the hostname (resolved by your DHCP/DNS server).
  address = var.ip == "dhcp" ? var.hostname : split("/", var.ip)[0]
  # ttyUSB devices have major 188, ttyACM 166 (Documentation/admin-guide/devices.txt).
  usb_lines = var.usb_device == null ? [] : [
    "lxc.cgroup2.devices.allow: c ${startswith(var.usb_device, "/dev/ttyACM") ? 166 : 188}:* rwm",
    "lxc.mount.entry: ${var.usb_device} ${trimprefix(var.usb_device, "/")} none bind,optional,create=file",
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
    ZIGBEE2MQTT_CONFIG_MQTT_SERVER      = var.mqtt_server
    ZIGBEE2MQTT_CONFIG_MQTT_USER        = var.mqtt_user
    ZIGBEE2MQTT_CONFIG_MQTT_PASSWORD    = var.mqtt_password
    ZIGBEE2MQTT_CONFIG_SERIAL_PORT      = var.serial_port
    ZIGBEE2MQTT_CONFIG_SERIAL_ADAPTER   = var.serial_adapter
    TZ                                  = var.timezone
    ZIGBEE2MQTT_CONFIG_FRONTEND_ENABLED = "true"
    ZIGBEE2MQTT_CONFIG_FRONTEND_PORT    = "8080"
  } : k => v if v != null }
  mount "data" {
    storage        = var.storage
    size           = var.data_size
    path           = "/app/data"
    keep_on_remove = true
  }
  raw_lxc = local.usb_lines
  started = var.started
}
