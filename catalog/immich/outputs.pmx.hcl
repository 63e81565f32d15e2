# What the immich module gives back: where to reach it and what its containers listen on.

output "url" {
  value       = "http://${local.address}:2283"
  description = "Where to open Immich (the web app and the mobile apps' server URL)."
}

output "ports" {
  value = {
    http     = { port = 2283, protocol = "tcp" }
    postgres = { port = 5432, protocol = "tcp" }
    redis    = { port = 6379, protocol = "tcp" }
    ml       = { port = 3003, protocol = "tcp" }
  }
  description = "The ports the containers listen on (each container has its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.server.vmid
  description = "The server container's VMID."
}
