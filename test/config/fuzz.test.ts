// Mutation fuzzing of both front ends and decode: whatever the bytes, no exception escapes and
// every diagnostic points inside the file. Seeded, so failures reproduce.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { initHcl } from "../../src/config/hcl/parser.js";
import { decodeModule } from "../../src/config/decode.js";
import { decodeUtf8, parseConfigText } from "../../src/config/load.js";
import { prng } from "../helpers/prng.js";

const SEEDS = ["test/fixtures/config/basic/hcl/main.pmx.hcl", "test/fixtures/config/basic/hcl/fleet.pmx.hcl", "test/fixtures/config/basic/yaml/main.pmx.yaml", "test/fixtures/config/basic/yaml/fleet.pmx.yaml"];
const TOKENS = ["{", "}", "[", "]", "(", ")", '"', "${", "%{", "~", "=", ":", ",", "\n", "<<EOT\n", "EOT", "\\", "...", "*", "&a", "*a", "- ", "\t", "é", "😀"];

function mutate(bytes: Buffer, rnd: () => number): Buffer {
  const pick = (n: number) => Math.floor(rnd() * n);
  let out = bytes;
  const steps = 1 + pick(4);
  for (let i = 0; i < steps; i++) {
    const at = pick(out.length + 1);
    switch (pick(6)) {
      case 0:
        out = out.subarray(0, at);
        break;
      case 1: {
        const len = 1 + pick(12);
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
        break;
      }
      case 2: {
        const len = 1 + pick(20);
        out = Buffer.concat([out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len)]);
        break;
      }
      case 3:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(TOKENS[pick(TOKENS.length)] as string), out.subarray(at)]);
        break;
      case 4:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(4) }, () => pick(256))), out.subarray(at)]);
        break;
      default:
        // Invalid UTF-8: a lone continuation byte or a truncated multi-byte sequence.
        out = Buffer.concat([out.subarray(0, at), Buffer.from([pick(2) ? 0x80 : 0xe2, 0x82]), out.subarray(at)]);
    }
  }
  return out;
}

describe("front-end fuzzing", () => {
  beforeAll(initHcl);
  it("survives 2,400 mutated configuration files with in-file diagnostics", () => {
    const rnd = prng(20261121);
    let runs = 0;
    for (const path of SEEDS) {
      const original = readFileSync(path);
      for (let i = 0; i < 600; i++) {
        const bytes = mutate(original, rnd);
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
