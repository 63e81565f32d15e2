// Mutation fuzzing of both front ends and decode: whatever the bytes, no exception escapes and
// every diagnostic points inside the file. Seeded, so failures reproduce.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { initHcl } from "../../src/config/hcl/parser.js";
import { decodeModule } from "../../src/config/decode.js";
import { decodeUtf8, parseConfigText } from "../../src/config/load.js";
import { prng } from "../helpers/prng.js";
import { mutateBytes } from "../helpers/mutate.js";

const SEEDS = [
  "test/fixtures/config/basic/hcl/main.pmx.hcl",
  "test/fixtures/config/basic/hcl/fleet.pmx.hcl",
  "test/fixtures/config/basic/yaml/main.pmx.yaml",
  "test/fixtures/config/basic/yaml/fleet.pmx.yaml",
];

describe("front-end fuzzing", () => {
  beforeAll(initHcl);
  it("survives 2,400 mutated configuration files with in-file diagnostics", () => {
    const rnd = prng(20261121);
    let runs = 0;
    for (const path of SEEDS) {
      const original = readFileSync(path);
      for (let i = 0; i < 600; i++) {
        const bytes = mutateBytes(original, rnd);
        const name = path.endsWith(".yaml") ? "fuzz.pmx.yaml" : "fuzz.pmx.hcl";
        const { text, diagnostic } = decodeUtf8(name, bytes);
        const diags = diagnostic ? [diagnostic] : [];
        const source = text ?? bytes.toString("utf8");
        let failure: unknown;
        try {
          const parsed = parseConfigText(name, source);
          diags.push(...parsed.diagnostics, ...decodeModule([parsed.file]).diagnostics);
        } catch (e) {
          failure = e;
        }
        expect(failure, `seed file ${path}, mutation ${i}:\n${source}`).toBeUndefined();
        const lineCount = source.split("\n").length;
        const byteLength = Buffer.byteLength(source);
        for (const d of diags) {
          if (!d.subject) continue;
          for (const p of [d.subject.start, d.subject.end]) {
            const ok = p.line >= 1 && p.line <= lineCount && p.column >= 1 && p.offset >= 0 && p.offset <= byteLength;
            expect(ok, `${d.summary} at ${JSON.stringify(p)} outside file (${lineCount} lines, ${byteLength} bytes), mutation ${i} of ${path}:\n${source}`).toBe(true);
          }
        }
        runs++;
      }
    }
    expect(runs).toBe(2400);
  });
});
