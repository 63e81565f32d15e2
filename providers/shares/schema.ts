// The configuration schemas of smb_share and nfs_share, built from the field tables, and the
// checks across arguments (client specs, reserved names) that point at the offending attribute.
import { z } from "zod";
import { checked, pattern, str } from "../../src/provider/schema.js";
import { isUnknown } from "../../src/config/value.js";
import type { Attrs, BlockSpec, ProviderIssue } from "../../src/provider/types.js";
import { NFS_CLIENT_FIELDS, SMB_FIELDS } from "./fields.js";
import { nfsClientProblem } from "./net.js";
import { RESERVED_SMB_NAMES, SHARE_NAME } from "./paths.js";

const NAME_ERROR = "a share name of letters, digits, '-' and '_' (at most 80, starting with a letter or digit) is required";

export const smbShareSchema = z.strictObject({
  node: str(),
  name: pattern(SHARE_NAME, NAME_ERROR),
  ...Object.fromEntries(SMB_FIELDS.map((f) => [f.attr, f.attr === "path" ? f.schema : f.schema.optional()])),
});

/** exports(5) splits a line at white space and reads `#` as a comment: a path holding either cannot be written. */
const NFS_PATH = /^\/[^\s#"\\()]*$/;

export const nfsClientSchema = z.strictObject(Object.fromEntries(NFS_CLIENT_FIELDS.map((f) => [f.attr, f.schema.optional()])));

export const nfsShareSchema = z.strictObject({
  node: str(),
  name: pattern(SHARE_NAME, NAME_ERROR),
  path: checked((v) => NFS_PATH.test(v), 'an absolute path without white space, "#", quotes, backslashes or parentheses is required (exports(5) cannot write them)'),
  client: z.record(z.string(), nfsClientSchema).optional(),
});

export const smbShareBlocks: Record<string, BlockSpec> = {};
export const nfsShareBlocks: Record<string, BlockSpec> = { client: { labelled: true } };

export function validateSmb(config: Attrs): ProviderIssue[] {
  const name = config["name"];
  if (typeof name === "string" && RESERVED_SMB_NAMES.has(name.toLowerCase())) {
    return [
      {
        severity: "error",
        path: ["name"],
        summary: "Reserved share name",
        detail: `[${name}] is one of Samba's special sections (global, homes, printers), not a share pmxform can manage. Choose another name.`,
      },
    ];
  }
  return [];
}

export function validateNfs(config: Attrs): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  const clients = config["client"];
  if (clients && typeof clients === "object" && !isUnknown(clients)) {
    const specs = Object.keys(clients);
    if (specs.length === 0)
      issues.push({ severity: "error", path: ["client"], summary: "No client", detail: 'An export needs at least one client block, such as client "192.168.1.0/24" { }. Add one.' });
    for (const spec of specs) {
      const problem = nfsClientProblem(spec);
      if (problem)
        issues.push({
          severity: "error",
          path: ["client", spec],
          summary: "Invalid NFS client",
          detail: `${problem}. Write a host name, an IP address, a network in CIDR notation (192.168.1.0/24), @netgroup or *.`,
        });
      const c = (clients as Record<string, Attrs>)[spec]!;
      if (c["all_squash"] === true && c["root_squash"] === false) {
        issues.push({
          severity: "error",
          path: ["client", spec, "root_squash"],
          summary: "Conflicting squash options",
          detail: "all_squash maps every user, root included, to the anonymous user, so root_squash = false has no effect. Remove one of them.",
        });
      }
    }
  } else if (clients === undefined || clients === null) {
    issues.push({ severity: "error", path: [], summary: "No client", detail: 'An export needs at least one client block, such as client "192.168.1.0/24" { }. Add one.' });
  }
  return issues;
}
