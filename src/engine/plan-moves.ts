// Plan phase 1, moves: `moved { from, to }` blocks rename prior state entries before anything
// is compared, so a renamed resource is planned as the object it already is (Terraform's
// refactoring moves). Whole-declaration and whole-module moves carry every instance along, and
// moves chain (a -> b, then b -> module.m.b).
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, warning } from "../diag/diagnostic.js";
import type { Module } from "../config/module.js";
import { addressMatches, isModuleAddress, parseAddress, withModule } from "./address.js";
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
    const fromModule = isModuleAddress(from);
    const toModule = isModuleAddress(to);
    const fromP = parseAddress(from);
    const toP = parseAddress(to);
    if ((!fromP && !fromModule) || (!toP && !toModule)) {
      diags.push(error("Invalid moved block", "from and to must be resource addresses such as lxc_container.web or module.app.lxc_container.web, or module addresses such as module.app.", mv.range));
      continue;
    }
    if (fromModule !== toModule) {
      diags.push(
        error(
          "Invalid moved block",
          `A ${fromModule ? "module" : "resource"} cannot move to a ${toModule ? "module" : "resource"} (${from} -> ${to}). Move the module as a whole, or each resource to a resource address.`,
          mv.range,
        ),
      );
      continue;
    }
    if (fromP && toP && fromP.type !== toP.type) {
      diags.push(error("Invalid moved block", `A resource cannot move to another type (${fromP.type} -> ${toP.type}). Use import and state rm instead.`, mv.range));
      continue;
    }
    // A whole declaration (or module) carries its instances along when neither side names one instance of it.
    const wholeDecl = fromModule || (fromP?.key === undefined && toP?.key === undefined);
    for (const [addr, r] of [...prior]) {
      let newAddr: string | undefined;
      if (addr === from) newAddr = to;
      else if (wholeDecl && addressMatches(from, addr)) newAddr = to + addr.slice(from.length);
      if (!newAddr) continue;
      if (prior.has(newAddr)) {
        diags.push(warning("Moved object still exists", `${newAddr} is already in the state, so ${addr} was not moved. Remove the moved block or the old object.`, mv.range));
        continue;
      }
      const np = parseAddress(newAddr);
      if (!np) continue;
      prior.delete(addr);
      const movedRes = withModule<PriorResource & { module?: string }>({ ...r, address: newAddr, name: np.name }, np.module);
      if (np.key !== undefined) movedRes.index = np.key;
      else delete movedRes.index;
      prior.set(newAddr, movedRes);
      movedFrom.set(newAddr, movedFrom.get(addr) ?? addr);
      movedFrom.delete(addr);
    }
  }
  return { prior, movedFrom };
}
