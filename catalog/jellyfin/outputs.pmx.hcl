# What the jellyfin module gives back: where to reach it and what it listens on.

output "url" {
  value       = "http://${local.address}:8096"
  description = "Where to open jellyfin."
}

output "ports" {
  value = {
    "http"      = { port = 8096, protocol = "tcp" }
    "discovery" = { port = 7359, protocol = "udp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
