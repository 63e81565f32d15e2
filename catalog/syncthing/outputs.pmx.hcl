# What the syncthing module gives back: where to reach it and what it listens on.

output "url" {
  value       = "http://${local.address}:8384"
  description = "Where to open syncthing."
}

output "ports" {
  value = {
    "http"      = { port = 8384, protocol = "tcp" }
    "sync"      = { port = 22000, protocol = "tcp" }
    "sync-quic" = { port = 22000, protocol = "udp" }
    "discovery" = { port = 21027, protocol = "udp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
