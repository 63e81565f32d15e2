// What an expression can see while it is evaluated: variables, locals, each/count, resources
// (looked up through the engine), path.*, for-expression names and the function table.
import type { FunctionTable } from "../functions/types.js";
import type { Value } from "../value.js";

export type Names = ReadonlyMap<string, Value> | Readonly<Record<string, Value>>;

export interface Scope {
  /** `var.NAME` */
  variables?: Names;
  /** `local.NAME`; the engine may put Unknown here for locals not evaluated yet. */
  locals?: Names;
  /** `each.key` / `each.value`, only inside a for_each resource. */
  each?: { key: Value; value: Value };
  /** `count.index`, only inside a counted resource. */
  count?: { index: Value };
  /**
   * `TYPE.NAME`: the resource's object, or a list (count) / map (for_each) of instance objects.
   * Undefined means "no such resource". The engine decides what to return for planned values.
   */
  resource?: (type: string, name: string) => Value | undefined;
  /** `path.module`, `path.root`, `path.cwd` */
  path?: { module: string; root: string; cwd: string };
  /** Functions by name; try() and can() are built into the evaluator. */
  functions?: FunctionTable;
  /** Directory relative paths of file()/templatefile() are resolved against (given to the function table). */
  baseDir?: string;
  /** Extra bare names in scope, like templatefile() variables. */
  bindings?: Names;
  /** Resource address put on diagnostics, when evaluating inside a resource. */
  address?: string;
}

export function lookupName(names: Names | undefined, name: string): Value | undefined {
  if (names === undefined) return undefined;
  // instanceof narrows a ReadonlyMap to Map<any, any>: restate what it holds.
  if (names instanceof Map) return (names as ReadonlyMap<string, Value>).get(name);
  const rec = names as Readonly<Record<string, Value>>;
  return Object.prototype.hasOwnProperty.call(rec, name) ? rec[name] : undefined;
}

export function nameList(names: Names | undefined): string[] {
  if (names === undefined) return [];
  return names instanceof Map ? [...(names as ReadonlyMap<string, Value>).keys()] : Object.keys(names);
}
