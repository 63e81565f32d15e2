// The module boundaries the engine's shape depends on, read from the import statements
// (type-only imports included, as they couple files just the same): src/plan holds plan data
// and rendering and imports nothing of the engine, and no files of src/ or providers/ import
// each other in a cycle.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** file -> the files of the project it imports or re-exports from. */
function importGraph(): Map<string, string[]> {
  const files = [...tsFiles(join(ROOT, "src")), ...tsFiles(join(ROOT, "providers"))];
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    const targets = new Set<string>();
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"/gms)) {
      const t = resolve(dirname(f), m[1]!.replace(/\.js$/, ".ts"));
      if (known.has(t)) targets.add(t);
    }
    graph.set(f, [...targets]);
  }
  return graph;
}

/** Strongly connected groups of more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(relative(ROOT, w));
    } while (w !== v);
    if (group.length > 1) out.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return out;
}

describe("import boundaries", () => {
  const graph = importGraph();

  it("src/plan imports nothing from src/engine", () => {
    const offending = [...graph].flatMap(([f, ts]) =>
      relative(ROOT, f).startsWith("src/plan/") ? ts.filter((t) => relative(ROOT, t).startsWith("src/engine/")).map((t) => `${relative(ROOT, f)} -> ${relative(ROOT, t)}`) : [],
    );
    expect(offending).toEqual([]);
  });

  it("has no import cycles", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("would see a cycle (the check itself works)", () => {
    const a = join(ROOT, "a.ts");
    const b = join(ROOT, "b.ts");
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([["a.ts", "b.ts"]]);
  });
});
