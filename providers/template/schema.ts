// The lxc_template configuration schema: which appliance template (a name `pveam available`
// lists) goes on which storage of which node.
import { z } from "zod";
import { pattern, str } from "../../src/provider/schema.js";

/** pve-storage's template archive names (VZTMPL_EXT_RE_1): NAME.tar, .tar.gz, .tar.xz, .tar.zst, .tar.bz2. */
export const TEMPLATE_FILE = /^[A-Za-z0-9][\w.+-]*\.(?:tar|tar\.(?:gz|xz|zst|bz2))$/;

export const lxcTemplateSchema = z.strictObject({
  node: str(),
  storage: pattern(/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i, 'a storage name such as "local" is required'),
  template: pattern(TEMPLATE_FILE, 'a template file name as pveam available lists it, such as "debian-12-standard_12.7-1_amd64.tar.zst", is required'),
});

export const lxcTemplateBlocks = {} as const;
