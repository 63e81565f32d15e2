// Property: mangling the whitespace of a formatted file wherever HCL ignores it (indentation,
// blanks around `=` and before `{`, between block labels, trailing blanks, repeated blank lines,
// `{ }`) must format back to exactly the canonical bytes. Seeded; a failure prints its seed.
// Most rounds run the formatter in-process; a few go through `pmxform fmt` on a directory.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatHcl } from "../../src/config/hcl/format.js";
import { hclCorpus, parsedShape } from "../helpers/hcl-corpus.js";
import { prng } from "../helpers/prng.js";
import { BUILT, NOT_BUILT, ROOT, Workdir } from "./helpers.js";

/** Canonical texts of every example and fixture without syntax errors (block comments excluded: their inner lines are verbatim). */
async function canonicalFixtures(): Promise<Array<{ name: string; text: string }>> {
  const out: Array<{ name: string; text: string }> = [];
  for (const p of hclCorpus(ROOT)) {
    const src = readFileSync(p, "utf8");
    if (src.includes("/*") || (await parsedShape(p, src)).syntaxError) continue;
    out.push({ name: relative(ROOT, p).replaceAll("/", "__"), text: formatHcl(src) });
  }
  return out;
}

/** Lines inside a heredoc (body and end marker) are part of a string: never touched. */
function heredocLines(lines: readonly string[]): Set<number> {
  const inside = new Set<number>();
  let marker: string | undefined;
  lines.forEach((line, k) => {
    if (marker !== undefined) {
      inside.add(k);
      if (line.trim() === marker) marker = undefined;
      return;
    }
    marker = /<<-?([A-Za-z_][\w-]*)$/.exec(line)?.[1];
  });
  return inside;
}

function mangle(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const blanks = (max: number): string => Array.from({ length: Math.floor(rnd() * (max + 1)) }, () => pick([" ", "\t"])).join("");
  const lines = text.split("\n");
  const verbatim = heredocLines(lines);
  const out: string[] = [rnd() < 0.3 ? "\n" : ""]; // blank lines before the first line
  lines.forEach((line, k) => {
    if (verbatim.has(k)) return void out.push(line);
    if (line === "") {
      // Only where a blank line already is: a run of them is one blank line.
      out.push(rnd() < 0.3 ? `${blanks(3)}\n${blanks(2)}` : blanks(2));
      return;
    }
    let l = line.trimStart();
    if (rnd() < 0.7) l = blanks(8) + l;
    l = l.replace(/^(\s*[A-Za-z_][\w-]*)\s*=\s*(?![=>])/, (_, name: string) => `${name}${blanks(3)}=${blanks(3)}`);
    // Block headers: `type "label" "label" {`.
    if (/^\s*[A-Za-z_][\w-]*( "[^"$\\]*")* \{$/.test(l)) l = l.replace(/ ("|\{)/g, (_, c: string) => `${" ".repeat(1 + Math.floor(rnd() * 3))}${c}`).replace(/ \{$/, `${blanks(2)}{`);
    l = l.replace(/\{\}$/, () => `{${blanks(3)}}`);
    if (!l.includes("#") && !l.includes("//")) l += blanks(3);
    out.push(l);
  });
  if (rnd() < 0.5) out.push("", "");
  return out.join("\n");
}

const dirs: Workdir[] = [];
afterAll(() => dirs.forEach((w) => w.remove()));

describe("fmt: mangled whitespace formats back to the canonical bytes", () => {
  it("in-process, 60 seeds over every fixture", async () => {
    const fixtures = await canonicalFixtures();
    expect(fixtures.length).toBeGreaterThan(10);
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = prng(seed);
      for (const f of fixtures) {
        const mangled = mangle(f.text, rnd);
        expect(formatHcl(mangled), `seed ${seed}, ${f.name}`).toBe(f.text);
      }
    }
  });

  it.skipIf(!BUILT)(BUILT ? "through pmxform fmt, 3 seeds" : NOT_BUILT, async () => {
    const fixtures = await canonicalFixtures();
    for (let seed = 1001; seed <= 1003; seed++) {
      const rnd = prng(seed);
      const w = new Workdir("pmx-fmtprop-");
      dirs.push(w);
      const mangled = fixtures.map((f) => ({ ...f, mangled: mangle(f.text, rnd) }));
      for (const f of mangled) w.write(f.name, f.mangled);
      const r = await w.run("fmt");
      expect(r.code, `seed ${seed}: ${r.stderr}`).toBe(0);
      for (const f of mangled) {
        expect(readFileSync(w.path(f.name), "utf8"), `seed ${seed}, ${f.name}`).toBe(f.text);
        if (f.mangled !== f.text) expect(r.stdout.split("\n"), `seed ${seed}`).toContain(f.name);
      }
    }
  });
});
