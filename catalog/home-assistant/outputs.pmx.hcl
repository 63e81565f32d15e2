# What the home-assistant module gives back: where to reach it and what it listens on.

output "url" {
  value       = "http://${local.address}:8123"
  description = "Where to open home-assistant."
}

output "ports" {
  value = {
    "http" = { port = 8123, protocol = "tcp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
