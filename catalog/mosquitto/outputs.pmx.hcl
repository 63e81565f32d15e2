# What the mosquitto module gives back: where to reach it and what it listens on.

output "url" {
  value       = "mqtt://${local.address}:1883"
  description = "Where to open mosquitto."
}

output "ports" {
  value = {
    "mqtt" = { port = 1883, protocol = "tcp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
