// Plan phase, import blocks: an `import { to, id }` block whose target is not in the state reads
// its object from the snapshot (the instance diff then plans against it); one whose target has
// no resource block is an error, or with --generate-config-out a resource block pmxform writes.
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { unmark } from "../config/value.js";
import type { GeneratedResource } from "../config/generate/model.js";
import type { Attrs } from "../provider/types.js";
import type { StateResource } from "../state/types.js";
import { parseAddress } from "./address.js";
import { importOne, notesAsWarnings } from "./import.js";
import type { PlanInput } from "./plan-types.js";

type ImportBlock = PlanInput["session"]["module"]["imports"][number];

export interface ImportedObject {
  id: string;
  attrs: Attrs;
  notes: string[];
}

export class ImportBlocks {
  /** The first import block per address, as a lookup: a plan adopting hundreds of containers would otherwise scan every block per instance. */
  private readonly byAddress = new Map<string, ImportBlock>();

  constructor(
    private readonly input: PlanInput,
    private readonly diagnostics: Diagnostic[],
  ) {
    for (const i of input.session.module.imports) if (!this.byAddress.has(i.to.address)) this.byAddress.set(i.to.address, i);
  }

  /** The object an import block targeting `address` (not yet in state) names; "failed" after a diagnostic. */
  forAddress(address: string): ImportedObject | undefined | "failed" {
    const block = this.byAddress.get(address);
    if (!block) return undefined;
    return this.read(block) ?? "failed";
  }

  /** Reads one block's object; every failure is a diagnostic at the block. */
  read(block: ImportBlock): ImportedObject | undefined {
    const { session } = this.input;
    const ev = session.evaluation;
    const idValue = unmark(ev.eval(block.id, ev.scope()).value);
    if (typeof idValue !== "string" && typeof idValue !== "number") {
      this.diagnostics.push(error("Invalid import id", 'The id of an import block must be a string known at plan time, such as "pve1/105".', block.id.range));
      return undefined;
    }
    const id = String(idValue);
    const r = importOne({ registry: session.registry, state: this.input.prior as unknown as StateResource[], snapshotFor: this.input.snapshotFor, lineage: this.input.lineage }, block.to.address, id);
    for (const d of r.diagnostics) this.diagnostics.push({ ...d, subject: d.subject ?? block.range, address: block.to.address });
    if (r.resource) this.diagnostics.push(...notesAsWarnings(block.to.address, r.notes, block.range));
    return r.resource ? { id, attrs: r.resource.attributes, notes: r.notes } : undefined;
  }

  /** Import blocks whose target is neither configured nor in the state: an error, or generated configuration. */
  withoutResourceBlock(configured: ReadonlySet<string>, prior: ReadonlyMap<string, unknown>, generateConfig: boolean): GeneratedResource[] {
    const { session } = this.input;
    const generated: GeneratedResource[] = [];
    for (const block of session.module.imports) {
      const target = block.to.address;
      if (configured.has(target) || prior.has(target)) continue;
      if (!generateConfig) {
        this.diagnostics.push(
          error(
            "Configuration for import target does not exist",
            `The import block targets ${target}, which has no resource block. Add the resource block, or let pmxform write one with pmxform plan --generate-config-out=FILE.`,
            block.to.range,
          ),
        );
        continue;
      }
      const p = parseAddress(target);
      const type = p && session.registry.resourceType(p.type);
      const r = this.read(block);
      if (!p || !type || !r) continue;
      generated.push({
        type: p.type,
        name: p.name,
        body: type.generateConfig?.(r.attrs) ?? {},
        blocks: type.blocks,
        comments: [`__generated__ by pmxform from ${String(r.id)}`, ...r.notes.map((n) => `not managed: ${n}`)],
      });
    }
    return generated;
  }
}
