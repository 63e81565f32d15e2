// Plan-time checks of an lxc_template against its node (read during refresh): the storage must
// exist there and hold templates, and the name be in the node's catalogue (`pveam available`),
// as pve-manager API2/Nodes.pm apl_download requires ("no such template").
import type { Attrs, ProviderIssue } from "../../src/provider/types.js";
import { nodeStorages, storageContentIssue } from "../lxc/node-checks.js";
import { asSnapshot } from "../lxc/snapshot.js";
import { didYouMean } from "../../src/config/eval/suggest.js";

export function templateStorageIssues(config: Attrs, snapshot: unknown): ProviderIssue[] {
  const { node, storage } = config;
  if (typeof node !== "string" || typeof storage !== "string") return [];
  const issues: ProviderIssue[] = [];
  const issue = storageContentIssue(node, nodeStorages(snapshot, node), ["storage"], storage, "vztmpl");
  if (issue) issues.push(issue);
  const names = asSnapshot(snapshot).catalogue?.get(node);
  const template = config["template"];
  if (names && typeof template === "string" && !names.has(template)) {
    issues.push({
      severity: "error",
      path: ["template"],
      summary: "No such template",
      detail: `pveam on node ${node} cannot download "${template}": it is not in the node's appliance catalogue.${didYouMean(template, names)} Run pveam available on ${node} for the names (pveam update refreshes the catalogue).`,
    });
  }
  return issues;
}
