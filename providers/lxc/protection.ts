// What Proxmox refuses while a container's protection flag is on, so that a plan says it instead
// of an apply failing half-way. pve-container Config.pm update_pct_config calls check_protection
// (pve-guest-common AbstractConfig.pm) for every rootfs/mpN it adds or changes and every mpN or
// unusedN it deletes, with the flag the container has when `pct set` runs: turning protection
// off in the same call does not help, so apply turns it off in a call of its own first.
import type { Attrs, ProviderIssue } from "../../src/provider/types.js";
import type { ChangeSet } from "./changes.js";

const DRIVE = /^(?:rootfs|mp\d+|unused\d+)$/;

/** The rootfs/mpN/unusedN keys this change set adds, changes or deletes. */
export function protectedDriveChanges(cs: ChangeSet): string[] {
  return [...new Set([...cs.set.keys(), ...cs.del].filter((k) => DRIVE.test(k)))].sort();
}

const protectedBefore = (prior: Attrs): boolean => prior["protection"] === true;
const turnsOff = (cs: ChangeSet): boolean => cs.set.get("protection") === "0" || cs.del.includes("protection");

/** Apply must send `--protection 0` alone before a `pct set` that touches drives. */
export function unprotectFirst(prior: Attrs, cs: ChangeSet): boolean {
  return protectedBefore(prior) && turnsOff(cs) && protectedDriveChanges(cs).length > 0;
}

/** Plan-time errors for drive changes that protection would refuse, and the note when apply unprotects first. */
export function protectionIssues(prior: Attrs, planned: Attrs, cs: ChangeSet): { issues: ProviderIssue[]; notes: string[] } {
  const vmid = String(prior["vmid"]);
  const drives = protectedDriveChanges(cs);
  const issues: ProviderIssue[] = [];
  const notes: string[] = [];
  if (protectedBefore(prior) && drives.length) {
    if (turnsOff(cs)) notes.push(`protection is turned off in a pct set of its own before ${drives.join(", ")} change (Proxmox checks the flag the container has)`);
    else {
      issues.push({
        severity: "error",
        path: ["protection"],
        summary: "Mounts cannot change while protection is on",
        detail: `CT ${vmid} has protection = true, and Proxmox refuses to add, change or remove its root disk, mount points and unused volumes then ("can't update CT ${vmid} drive '${drives[0]}' - protection mode enabled"). This plan changes ${drives.join(", ")}. Set protection = false for this apply (pmxform turns it off first), or leave the mounts as they are.`,
      });
    }
  }
  const doomed = Array.isArray(planned["volumes_to_delete"]) ? planned["volumes_to_delete"] : [];
  if (doomed.length && planned["protection"] === true && !issues.length) {
    issues.push({
      severity: "error",
      path: ["protection"],
      summary: "Removed mounts' volumes cannot be deleted while protection is on",
      detail: `Deleting the volumes of removed mounts (${doomed.join(", ")}) needs pct set --delete unusedN, which Proxmox refuses on a protected container ("can't remove CT ${vmid} drive 'unused0' - protection mode enabled"). Apply with protection = false first, or keep the volumes (keep_on_remove = true), then turn protection on.`,
    });
  }
  return { issues, notes };
}
