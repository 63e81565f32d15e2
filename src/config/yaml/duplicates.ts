// Duplicate mapping keys in one pass. The yaml package's own uniqueKeys check compares each key
// with every earlier key of its map, which is quadratic (2,000 resources: ~200 ms), so it is
// switched off and this reports the same errors at the same offsets instead.
import type { Document } from "yaml";
import { yaml } from "./lib.js";

/** [start, end) of each repeated key, as yaml's DUPLICATE_KEY errors place them. */
export function duplicateKeyPositions(doc: Document.Parsed): [number, number][] {
  const out: [number, number][] = [];
  yaml().visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        // yaml compares scalar values with ===, under which NaN never repeats.
        if (!yaml().isScalar(key) || Number.isNaN(key.value)) continue;
        if (seen.has(key.value)) {
          const start = key.range?.[0] ?? 0;
          out.push([start, start + 1]);
        } else {
          seen.add(key.value);
        }
      }
    },
  });
  return out;
}
