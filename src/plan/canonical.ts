// Canonical JSON (sorted object keys, no whitespace) and its sha256: the stable digest used for
// the plan file checksum and for configuration/variable digests.

import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level and undefined-valued keys dropped, so equal data
 * always gives equal text. Rejects what JSON cannot represent faithfully (NaN, Infinity, bigint,
 * functions, cycles), because a digest over a lossy encoding would hide changes.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  emit(value, parts, new Set());
  return parts.join("");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function canonicalDigest(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

function emit(value: unknown, out: string[], stack: Set<object>): void {
  if (value === null) return void out.push("null");
  switch (typeof value) {
    case "string":
    case "boolean":
      return void out.push(JSON.stringify(value));
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return void out.push(JSON.stringify(value));
    case "object":
      break;
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
  const obj = value;
  if (stack.has(obj)) throw new TypeError("canonical JSON cannot hold a cycle");
  stack.add(obj);
  if (Array.isArray(obj)) {
    out.push("[");
    obj.forEach((item, i) => {
      if (i > 0) out.push(",");
      emit(item === undefined ? null : item, out, stack);
    });
    out.push("]");
  } else {
    const toJson = (obj as { toJSON?: () => unknown }).toJSON;
    if (typeof toJson === "function") {
      stack.delete(obj);
      return emit(toJson.call(obj), out, stack);
    }
    out.push("{");
    let first = true;
    for (const key of Object.keys(obj).sort()) {
      const v = (obj as Record<string, unknown>)[key];
      if (v === undefined) continue;
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key), ":");
      emit(v, out, stack);
    }
    out.push("}");
  }
  stack.delete(obj);
}
