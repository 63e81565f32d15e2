// The HCL files of examples/ and test/fixtures/ (what `pmxform fmt` must keep to a fixed point),
// and the parsed shape of a text: its configuration without source positions.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../../src/config/load.js";
import { withHcl } from "../../src/config/hcl/parser.js";
import { hasErrors } from "../../src/diag/diagnostic.js";

function hclFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? hclFilesUnder(p) : n.endsWith(".pmx.hcl") ? [p] : [];
  });
}

/** Every *.pmx.hcl under examples/ and test/fixtures/ of the repository at root, sorted. */
export function hclCorpus(root: string): string[] {
  return [...hclFilesUnder(join(root, "examples")), ...hclFilesUnder(join(root, "test/fixtures"))].sort();
}

/** The parsed configuration without source positions (what formatting must not change), and whether the text has syntax errors. */
export async function parsedShape(path: string, text: string): Promise<{ shape: string; syntaxError: boolean }> {
  const parsed = await withHcl(() => parseConfigText(path, text));
  const shape = JSON.stringify(parsed.file.body, (key, value: unknown) => (/range/i.test(key) ? undefined : value));
  return { shape, syntaxError: hasErrors(parsed.diagnostics) };
}
