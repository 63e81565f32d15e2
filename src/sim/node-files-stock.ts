// What a fresh simulated node holds in /etc/samba and /etc/exports: Debian 12's stock smb.conf
// (the samba package's /usr/share/samba/smb.conf without its comments; no include of pmxform's
// index, so a share plan tells the user to add it) and nfs-kernel-server's commented /etc/exports.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { paths } from "./ctx.js";

export const STOCK_SMB_CONF = `#
# Sample configuration file for the Samba suite for Debian GNU/Linux.
#
[global]
   workgroup = WORKGROUP
   log file = /var/log/samba/log.%m
   max log size = 1000
   logging = file
   panic action = /usr/share/samba/panic-action %d
   server role = standalone server
   obey pam restrictions = yes
   unix password sync = yes
   passwd program = /usr/bin/passwd %u
   passwd chat = *Enter\\snew\\s*\\spassword:* %n\\n *Retype\\snew\\s*\\spassword:* %n\\n *password\\supdated\\ssuccessfully* .
   pam password change = yes
   map to guest = bad user
   usershare allow guests = yes

[printers]
   comment = All Printers
   browseable = no
   path = /var/tmp
   printable = yes
   guest ok = no
   read only = yes
   create mask = 0700

[print$]
   comment = Printer Drivers
   path = /var/lib/samba/printers
   browseable = yes
   read only = yes
   guest ok = no
`;

export const STOCK_EXPORTS = `# /etc/exports: the access control list for filesystems which may be exported
#\t\tto NFS clients.  See exports(5).
#
`;

export function writeStockNodeFiles(dir: string, node: string): void {
  const etc = join(paths.nodeRoot(dir, node), "etc");
  mkdirSync(join(etc, "samba"), { recursive: true });
  mkdirSync(join(etc, "exports.d"), { recursive: true });
  writeFileSync(join(etc, "samba", "smb.conf"), STOCK_SMB_CONF);
  writeFileSync(join(etc, "exports"), STOCK_EXPORTS);
}
