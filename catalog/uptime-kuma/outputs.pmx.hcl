# What the uptime-kuma module gives back: where to reach it and what it listens on.

output "url" {
  value       = "http://${local.address}:3001"
  description = "Where to open uptime-kuma."
}

output "ports" {
  value = {
    "http" = { port = 3001, protocol = "tcp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
