// The planning flags Terraform refuses before doing any work: addresses that do not parse, and
// option combinations that make no sense (-refresh=false with -refresh-only, -destroy with
// -replace or -refresh-only). Same refusals, pmxform's words.
import { error, type Diagnostic } from "../diag/diagnostic.js";
import { parseAddress, parseTargetAddress } from "../engine/address.js";
import { refreshWanted, type RunOptions } from "../engine/run.js";

export function planningOptionProblems(opts: RunOptions, destroy: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [flag, list] of [
    ["--target", opts.target],
    ["--replace", opts.replace],
  ] as const) {
    for (const a of list ?? []) {
      if (flag === "--target" ? !parseTargetAddress(a) : !parseAddress(a))
        out.push(
          error(
            `Invalid ${flag.slice(2)} address`,
            `${flag} ${JSON.stringify(a)} is not a resource address. Write TYPE.NAME, TYPE.NAME[INDEX] or TYPE.NAME["KEY"]${flag === "--target" ? ", a module (module.NAME) or an address inside one" : ""}, e.g. ${flag}=lxc_container.web (see pmxform state list).`,
          ),
        );
    }
  }
  if (opts.refreshOnly && !refreshWanted(opts.refresh)) {
    out.push(error("Incompatible refresh options", "--refresh-only with --refresh=false has nothing to do: a refresh-only plan only reads the nodes. Remove one of the two."));
  }
  if (destroy && opts.refreshOnly)
    out.push(error("Incompatible plan mode options", "--destroy and --refresh-only are mutually exclusive (destroy plans removals, refresh-only plans none). Choose one."));
  if (destroy && opts.replace?.length)
    out.push(error("Incompatible plan options", "--replace cannot be used with --destroy: it forces a replacement, and a destroy plan creates nothing. Remove --replace."));
  return out;
}
