# What the transmission module gives back: where to reach it and what it listens on.

output "url" {
  value       = "http://${local.address}:9091"
  description = "Where to open transmission."
}

output "ports" {
  value = {
    "http"     = { port = 9091, protocol = "tcp" }
    "peer"     = { port = 51413, protocol = "tcp" }
    "peer-udp" = { port = 51413, protocol = "udp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
