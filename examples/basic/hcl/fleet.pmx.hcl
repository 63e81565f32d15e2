# Variables with types and validation, locals, for_each, lifecycle, moved and import.
variable "sites" {
  type        = map(object({ cores = number }))
  description = "One container per site"
  default = {
    a = { cores = 1 }
    b = { cores = 2 }
  }
  validation {
    condition     = length(var.sites) > 0
    error_message = "Give at least one site."
  }
}

variable "token" {
  type      = string
  sensitive = true
  nullable  = false
}

locals {
  prefix = "site-${terraform_free}"
  names  = [for k, v in var.sites : upper(k) if v.cores > 1]
}

resource "lxc_container" "site" {
  for_each   = var.sites
  node       = "pve1"
  hostname   = "${local.prefix}-${each.key}"
  cores      = each.value.cores * 2 + 1
  depends_on = [lxc_container.web]
  lifecycle {
    prevent_destroy = true
    ignore_changes  = [tags, description]
  }
}

moved {
  from = lxc_container.old
  to   = lxc_container.site["a"]
}

import {
  to = lxc_container.web
  id = "pve1/120"
}

output "hostnames" {
  value     = [for s in lxc_container.site : s.hostname]
  sensitive = false
}
