// Plan phase 1, moves: `moved { from, to }` blocks rename prior state entries before anything
// is compared, so a renamed resource is planned as the object it already is (Terraform's
// refactoring moves). Whole-declaration moves carry every instance along.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, warning } from "../diag/diagnostic.js";
import type { Module } from "../config/module.js";
import { addressMatches, parseAddress } from "./address.js";
import type { PriorResource } from "./plan-types.js";

export interface Moved {
  /** The prior resources by their address after the moves. */
  prior: Map<string, PriorResource>;
  /** New address -> the address the entry had in the state. */
  movedFrom: Map<string, string>;
}

export function applyMoves(moved: Module["moved"], priorList: readonly PriorResource[], diags: Diagnostic[]): Moved {
  const prior = new Map(priorList.map((r) => [r.address, r]));
  const movedFrom = new Map<string, string>();
  for (const mv of moved) {
    const from = mv.from.address;
    const to = mv.to.address;
    const fromP = parseAddress(from);
    const toP = parseAddress(to);
    if (!fromP || !toP) {
      diags.push(error("Invalid moved block", "from and to must be resource addresses such as lxc_container.web.", mv.range));
      continue;
    }
    if (fromP.type !== toP.type) {
      diags.push(error("Invalid moved block", `A resource cannot move to another type (${fromP.type} -> ${toP.type}). Use import and state rm instead.`, mv.range));
      continue;
    }
    for (const [addr, r] of [...prior]) {
      let newAddr: string | undefined;
      if (addr === from) newAddr = to;
      else if (fromP.key === undefined && toP.key === undefined && addressMatches(from, addr)) newAddr = to + addr.slice(from.length);
      if (!newAddr) continue;
      if (prior.has(newAddr)) {
        diags.push(warning("Moved object still exists", `${newAddr} is already in the state, so ${addr} was not moved. Remove the moved block or the old object.`, mv.range));
        continue;
      }
      prior.delete(addr);
      const np = parseAddress(newAddr)!;
      const movedRes: PriorResource = { ...r, address: newAddr, name: np.name };
      if (np.key !== undefined) movedRes.index = np.key;
      else delete movedRes.index;
      prior.set(newAddr, movedRes);
      movedFrom.set(newAddr, addr);
    }
  }
  return { prior, movedFrom };
}
