// Golden diagnostics: every syntax and structure error the front ends and decode produce, as
// compact text next to the input. UPDATE_GOLDEN=1 rewrites the .diags.txt files.
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initHcl } from "../../src/config/hcl/parser.js";
import { decodeModule } from "../../src/config/decode.js";
import { parseConfigText } from "../../src/config/load.js";
import { renderCompact } from "../../src/diag/render.js";

const dir = "test/fixtures/config/errors";
const inputs = readdirSync(dir)
  .filter((n) => /\.pmx\.(hcl|yaml)$/.test(n))
  .sort();

describe("golden error diagnostics", () => {
  beforeAll(initHcl);
  for (const name of inputs) {
    it(name, () => {
      const parsed = parseConfigText(name, readFileSync(join(dir, name), "utf8"));
      const decoded = decodeModule([parsed.file]);
      const actual = renderCompact([...parsed.diagnostics, ...decoded.diagnostics]) + "\n";
      const goldenPath = join(dir, name.replace(/\.pmx\.(hcl|yaml)$/, ".diags.txt"));
      if (process.env.UPDATE_GOLDEN === "1" || !existsSync(goldenPath)) writeFileSync(goldenPath, actual);
      expect(actual.trim()).not.toBe("");
      expect(actual).toBe(readFileSync(goldenPath, "utf8"));
    });
  }
});
