# What the pihole module gives back: where to reach it and what it listens on.

output "url" {
  value       = "http://${local.address}:80/admin"
  description = "Where to open pihole."
}

output "ports" {
  value = {
    "dns"     = { port = 53, protocol = "udp" }
    "dns-tcp" = { port = 53, protocol = "tcp" }
    "http"    = { port = 80, protocol = "tcp" }
  }
  description = "The ports the app listens on inside its container (its own address: no port mapping)."
}

output "vmid" {
  value       = oci_container.app.vmid
  description = "The container's VMID."
}
