// Plan-time checks of mount blocks that the schema cannot express: host paths must be absolute and
// normalised, and unprivileged containers see bind-mounted files as nobody/nogroup without idmap.
import { posix } from "node:path";
import type { ProviderIssue } from "../../src/provider/types.js";

type Obj = Record<string, unknown>;

/** Why `p` is not an absolute, normalised host path (undefined when it is). */
export function hostPathProblem(p: string): string | undefined {
  if (!p.startsWith("/")) return `"${p}" is relative; Proxmox bind mounts need an absolute host path such as "/tank/media"`;
  const norm = posix.normalize(p).replace(/(.)\/$/, "$1");
  if (norm !== p) return `"${p}" is not normalised (no "..", ".", "//" or trailing "/"); write "${norm}"`;
  return undefined;
}

export function hostPathIssues(mounts: Record<string, Obj>): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  for (const [name, m] of Object.entries(mounts)) {
    const hp = m["host_path"];
    if (typeof hp !== "string") continue;
    const problem = hostPathProblem(hp);
    if (problem) issues.push({ severity: "error", path: ["mount", name, "host_path"], summary: "Invalid host path", detail: `${problem}.` });
  }
  return issues;
}

/** Warning for bind mounts into an unprivileged container that give no idmap. */
export function unprivilegedBindIssues(mounts: Record<string, Obj>): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  for (const [name, m] of Object.entries(mounts)) {
    if (typeof m["host_path"] !== "string" || m["idmap"] !== undefined) continue;
    issues.push({
      severity: "warning",
      path: ["mount", name],
      summary: "Files of a bind mount appear as nobody/nogroup",
      detail: `The container is unprivileged: host uid/gid 0..65535 are not mapped into it, so files under ${m["host_path"]} show as nobody/nogroup and may be unwritable. Set idmap (e.g. idmap = "passthrough" or "u:1000:1000:1;g:1000:1000:1") or chown the host files to 100000+uid.`,
    });
  }
  return issues;
}
