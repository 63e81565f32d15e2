// What the field tables give the rest of the provider: zod shapes, reading a property string into
// attributes and printing attributes back (pct's form), the configured value as pct stores it,
// and the arguments generated configuration writes.
import { z, type ZodType } from "zod";
import { isUnknown } from "../../../src/config/value.js";
import { canonOf, type Block, type Field } from "./types.js";
import type { TopField } from "./top.js";

type Obj = Record<string, unknown>;
const isSet = (v: unknown) => v !== undefined && v !== null;

/** The zod shape of the fields the configuration may write. */
export function shapeOf(fields: readonly Field[], keep: (f: Field) => boolean = () => true): Record<string, ZodType> {
  const shape: Record<string, ZodType> = {};
  for (const f of fields) if (f.schema && keep(f)) shape[f.attr] = f.required ? f.schema : f.schema.optional();
  return shape;
}

/** One block's schema: an object, or a map of objects for a labelled block. */
export function blockSchema(b: Block): ZodType {
  const item = z.strictObject(shapeOf(b.fields));
  return b.labelled ? z.record(z.string(), item) : item;
}

/** The top-level shape (blocks included); `lxcOnly` arguments only when asked for. */
export function topShape(top: readonly TopField[], opts: { lxcOnly: boolean }): Record<string, ZodType> {
  const shape: Record<string, ZodType> = {};
  for (const f of top) {
    if (f.lxcOnly && !opts.lxcOnly) continue;
    const s = f.block ? blockSchema(f.block) : f.schema;
    if (s) shape[f.attr] = f.required ? s : s.optional();
  }
  return shape;
}

/** Fields a property string reads and prints through their codec (the rest a block assembles by hand); computed once per block, as every plan reads and prints each container several times. */
const codedCache = new WeakMap<Block, Field[]>();
function coded(b: Block): Field[] {
  let list = codedCache.get(b);
  if (!list) codedCache.set(b, (list = b.fields.filter((f) => f.pve && f.codec)));
  return list;
}

/** Sets `into[attr]` for every coded sub-key the parsed property string holds. */
export function readProps(b: Block, v: Record<string, string>, into: Obj, skip: readonly string[] = []): void {
  for (const f of coded(b)) {
    const t = v[f.pve!];
    if (t !== undefined && !skip.includes(f.attr)) into[f.attr] = f.codec!.read(t);
  }
}

/** Sets `out[pveKey]` for every coded attribute `a` holds (values of the wrong type are left out). */
export function printProps(b: Block, a: Obj, out: Record<string, string | undefined>, skip: readonly string[] = []): void {
  const fields = coded(b);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const x = a[f.attr];
    if (!isSet(x) || (skip.length > 0 && skip.includes(f.attr))) continue;
    const t = f.codec!.print(x);
    if (t !== undefined) out[f.pve!] = t;
  }
}

/**
 * The configured fields of a block item as pct will store them (sizes, sorted lists, upper-case
 * MACs), plus the fields the node decides that are `keep` (what `prior` holds).
 */
export function canonFields(b: Block, c: Obj, prior: Obj | undefined, into: Obj, skip: readonly string[] = []): void {
  for (let i = 0; i < b.fields.length; i++) {
    const f = b.fields[i]!;
    if (skip.length > 0 && skip.includes(f.attr)) continue;
    if ((f.schema || f.keep) && isSet(c[f.attr])) into[f.attr] = canonOf(f, c[f.attr]);
    else if (f.keep && prior && isSet(prior[f.attr]) && !isUnknown(prior[f.attr])) into[f.attr] = prior[f.attr];
  }
}

/** Attribute names of a block's fields generated configuration writes. */
export function importedFields(b: Block): string[] {
  return b.fields.filter((f) => f.schema && !f.noImport).map((f) => f.attr);
}

/** Fields that change only through `pct resize`: `pct set` never carries them, so the writer leaves them out unless asked. */
export function resizeOnly(b: Block): string[] {
  return b.fields.filter((f) => f.change === "resize").map((f) => f.attr);
}
