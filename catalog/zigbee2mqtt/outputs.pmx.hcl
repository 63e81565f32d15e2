# What the zigbee2mqtt module gives back: where to reach it and what it listens on.

output "url" {
  value       = "http://${local.address}:8080"
  description = "Where to open zigbee2mqtt."
}

output "ports" {
  value = {
    "http" = { port = 8080, protocol = "tcp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
