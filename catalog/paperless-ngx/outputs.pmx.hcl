# What the paperless-ngx module gives back: where to reach it and what it listens on.

output "url" {
  value       = "http://${local.address}:8000"
  description = "Where to open Paperless-ngx."
}

output "ports" {
  value = {
    http  = { port = 8000, protocol = "tcp" }
    redis = { port = 6379, protocol = "tcp" }
  }
  description = "The ports the containers listen on (each container has its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The web container's VMID."
}
