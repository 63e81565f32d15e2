# Inputs of the zigbee2mqtt catalog module (catalog/zigbee2mqtt/README.md describes each). Secrets are
# sensitive variables without defaults; everything else has a default that runs the app on one node.

variable "node" {
  type        = string
  description = "The Proxmox node that runs zigbee2mqtt."
}

variable "hostname" {
  type        = string
  default     = "zigbee2mqtt"
  description = "The container's hostname; the url output uses it when ip is dhcp."
  nullable    = false
}

variable "image" {
  type        = string
  default     = "ghcr.io/koenkk/zigbee2mqtt:2.12.1@sha256:80f7f04f72a99e4c4ef51ef7e98ee736edba6db0ecbb7abc626d0c4b0f1871f1"
  description = "The OCI image, pinned by digest. Upgrading the app is changing this: the plan replaces the container and keeps its volumes."
  nullable    = false
}

variable "image_storage" {
  type        = string
  default     = "local"
  description = "Storage (content vztmpl) the image archive is pulled into."
  nullable    = false
}

variable "image_tls_verify" {
  type        = bool
  default     = true
  description = "Verify the registry's TLS certificate (false only for a private plain-HTTP registry)."
  nullable    = false
}

variable "storage" {
  type        = string
  default     = "local-lvm"
  description = "Storage for the root filesystem and the data volumes."
  nullable    = false
}

variable "rootfs_size" {
  type        = string
  default     = "2G"
  description = "Size of the root filesystem (the image's files)."
  nullable    = false
}

variable "data_size" {
  type        = string
  default     = "1G"
  description = "Size of the data volume at /app/data: configuration.yaml, the device database and coordinator backup. Grow it by raising this; shrinking is refused."
  nullable    = false
}

variable "bridge" {
  type        = string
  default     = "vmbr0"
  description = "Bridge the container's eth0 is attached to."
  nullable    = false
}

variable "ip" {
  type        = string
  default     = "dhcp"
  description = "IPv4 address in CIDR notation (\"192.0.2.10/24\"), or \"dhcp\"."
  nullable    = false
  validation {
    condition     = var.ip == "dhcp" || can(cidrhost(var.ip, 0))
    error_message = "ip must be \"dhcp\" or an address in CIDR notation such as 192.0.2.10/24."
  }
}

variable "gateway" {
  type        = string
  default     = null
  description = "IPv4 gateway (with a static ip)."
}

variable "cores" {
  type        = number
  default     = 1
  description = "CPU cores."
  nullable    = false
}

variable "memory" {
  type        = number
  default     = 512
  description = "Memory in MiB."
  nullable    = false
}

variable "started" {
  type        = bool
  default     = true
  description = "Whether the container runs."
  nullable    = false
}

variable "usb_device" {
  type        = string
  default     = null
  description = "A USB serial adapter of the node to pass through (/dev/ttyUSB0 or /dev/ttyACM0); set serial_port to the same path."
  validation {
    condition     = var.usb_device == null || can(regex("^/dev/tty(USB|ACM)[0-9]+$", coalesce(var.usb_device, "-")))
    error_message = "usb_device must be null or a path such as /dev/ttyUSB0 or /dev/ttyACM0."
  }
}

variable "mqtt_server" {
  type        = string
  description = "The MQTT broker, e.g. mqtt://192.0.2.20:1883 or the url output of the mosquitto module (ZIGBEE2MQTT_CONFIG_MQTT_SERVER)."
  nullable    = false
}

variable "mqtt_user" {
  type        = string
  default     = null
  description = "MQTT user (ZIGBEE2MQTT_CONFIG_MQTT_USER)."
}

variable "mqtt_password" {
  type        = string
  default     = null
  description = "MQTT password (ZIGBEE2MQTT_CONFIG_MQTT_PASSWORD)."
  sensitive   = true
}

variable "serial_port" {
  type        = string
  description = "The Zigbee coordinator: a network adapter (tcp://192.0.2.30:6638) or a USB one passed with usb_device (/dev/ttyUSB0) (ZIGBEE2MQTT_CONFIG_SERIAL_PORT)."
  nullable    = false
}

variable "serial_adapter" {
  type        = string
  default     = null
  description = "Adapter type: zstack, ember, deconz, zigate, zboss (ZIGBEE2MQTT_CONFIG_SERIAL_ADAPTER); unset: detected."
}

variable "timezone" {
  type        = string
  default     = "Etc/UTC"
  description = "Time zone (TZ)."
  nullable    = false
}
