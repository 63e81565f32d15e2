# What the frigate module gives back: where to reach it and what it listens on.

output "url" {
  value       = "https://${local.address}:8971"
  description = "Where to open frigate."
}

output "ports" {
  value = {
    "https"  = { port = 8971, protocol = "tcp" }
    "rtsp"   = { port = 8554, protocol = "tcp" }
    "webrtc" = { port = 8555, protocol = "tcp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
