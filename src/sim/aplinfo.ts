// The simulator's appliance catalogue: what `pveam available` lists and `pveam download` fetches,
// shaped like pve-manager PVE/APLInfo.pm read_aplinfo_from_fh's records ($list->{section}
// ->{template} with location and sha512sum). The "mirror" serves the same bytes as the ready
// templates `sim init` lays down, so a downloaded file and a pre-installed one are identical.
import { createHash } from "node:crypto";

export interface Appliance {
  section: "system" | "mail" | "turnkeylinux";
  template: string;
  architecture: string;
  location: string;
  sha512sum: string;
}

/** The bytes the simulated mirror serves for a template (and `sim init` writes). */
export function templateBytes(template: string): string {
  return `pmxform simulated template ${template}\n`;
}

const SYSTEM = [
  "alpine-3.22-default_20250617_amd64.tar.xz",
  "archlinux-base_20240911-1_amd64.tar.zst",
  "debian-12-standard_12.7-1_amd64.tar.zst",
  "debian-13-standard_13.1-2_amd64.tar.zst",
  "rockylinux-9-default_20240912_amd64.tar.xz",
  "ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
];
const TURNKEY = ["debian-12-turnkey-nextcloud_18.1-1_amd64.tar.gz"];

function appliance(section: Appliance["section"], template: string): Appliance {
  return {
    section,
    template,
    architecture: /_(amd64|arm64|i386)\.tar/.exec(template)?.[1] ?? "amd64",
    location: `http://download.proxmox.com/images/${section}/${template}`,
    sha512sum: createHash("sha512").update(templateBytes(template)).digest("hex"),
  };
}

export const CATALOGUE: Appliance[] = [...SYSTEM.map((t) => appliance("system", t)), ...TURNKEY.map((t) => appliance("turnkeylinux", t))];

/** APLInfo.pm load_data's $list->{all}->{$template}. */
export function findAppliance(template: string): Appliance | undefined {
  return CATALOGUE.find((a) => a.template === template);
}
