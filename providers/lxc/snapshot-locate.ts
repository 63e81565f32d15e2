// Where a container is now, for a change planned against a node it has left since (migrated
// between plan and apply): one grep over the shared /etc/pve, read like the snapshot's dump, and
// the rule for following it there.
import { confDigest } from "../../src/pve/conf.js";
import type { ApplyContext, Attrs } from "../../src/provider/types.js";
import { parseConfDump } from "./snapshot-parse.js";

/** Every line of VMID.conf under ROOT/nodes, as `PATH:LINE` (the cluster-wide vmid is in one place at most). */
export function locateArgv(pveRoot: string, vmid: number): string[] {
  return ["grep", "-a", "-r", "-H", "-e", "", `--include=${vmid}.conf`, `${pveRoot.replace(/\/+$/, "")}/nodes`];
}

/** Pure: the node holding container `vmid` in a locate dump, with the digest of its config. */
export function locateInDump(output: string, vmid: number): { node: string; digest: string } | undefined {
  const f = parseConfDump(output).find((c) => c.vmid === vmid);
  return f ? { node: f.node, digest: confDigest(f.text) } : undefined;
}

/** The text of a failure that means "this container's config is not on that node". */
function saysNotHere(err: unknown): boolean {
  const e = (err ?? {}) as { message?: unknown; stderr?: unknown; cause?: { stderr?: unknown } };
  const text = [e.message, e.stderr, e.cause?.stderr].filter((x) => typeof x === "string").join("\n");
  return /Configuration file 'nodes\/[^/]+\/lxc\/\d+\.conf' does not exist|\.conf: No such file or directory/.test(text);
}

/**
 * Runs `op` for the container recorded in `prior`. When it fails because the container is no
 * longer on prior.node, finds where it is: on another node with the very configuration the plan
 * was made from (same digest), `op` runs again there; changed there, the error says to plan
 * again; nowhere, `whenGone` decides (a destroy is then done; anything else fails as before).
 */
export async function onCurrentNode<T>(address: string, prior: Attrs, ctx: ApplyContext, op: (prior: Attrs) => Promise<T>, whenGone?: () => T): Promise<T> {
  try {
    return await op(prior);
  } catch (err) {
    if (!saysNotHere(err)) throw err;
    const node = String(prior["node"]);
    const vmid = Number(prior["vmid"]);
    let found: { node: string; digest: string } | undefined;
    try {
      const r = await ctx.runnerFor(node).run(locateArgv(ctx.pveRootFor?.(node) ?? "/etc/pve", vmid), { signal: ctx.signal, okCodes: [0, 1, 2] });
      found = locateInDump(r.stdout, vmid);
    } catch {
      throw err;
    }
    if (!found) {
      if (whenGone) return whenGone();
      throw err;
    }
    if (found.node === node) throw err;
    if (found.digest !== prior["digest"]) {
      throw new Error(
        `${address}: container ${vmid} moved from node ${node} to ${found.node} after the plan was made, and its configuration was changed there. Nothing was done; run "pmxform plan" again.`,
        { cause: err },
      );
    }
    ctx.log(`container ${vmid} moved from node ${node} to ${found.node} after the plan was made; following it there`);
    // The plan put it on `node`; where it is now was decided outside pmxform, not by this apply.
    ctx.deviates?.(["node"]);
    ctx.deviates?.(["migrated_from"]);
    return op({ ...prior, node: found.node });
  }
}

/**
 * The state of a container after an operation planned against `prior`: found on another node than
 * the configuration names (moved since the plan and followed there), it remembers the node it
 * came from, as a migration seen at refresh does; on the configured node it has nothing to remember.
 */
export function followedTo(attrs: Attrs, prior: Attrs, config: Attrs): Attrs {
  const out = { ...attrs };
  if (out["node"] === config["node"]) delete out["migrated_from"];
  else if (out["node"] !== prior["node"]) out["migrated_from"] = prior["migrated_from"] ?? prior["node"];
  else if (prior["migrated_from"] !== undefined) out["migrated_from"] = prior["migrated_from"];
  return out;
}
