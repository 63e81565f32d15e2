// Writes the argument tables of docs/provider-lxc.md and docs/mounts-and-devices.md (their marked
// sections) from the built field tables; `npm run build` runs it, and
// test/providers/lxc/fields-docs.test.ts fails when a section is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { DOC_SECTIONS, withSection } from "../dist/providers/lxc/fields/docs.js";

for (const { file, marker, render } of DOC_SECTIONS) {
  const path = new URL(`../${file}`, import.meta.url);
  const doc = readFileSync(path, "utf8");
  const next = withSection(doc, marker, render());
  if (next === undefined) throw new Error(`${file}: the markers of the generated section "${marker}" are missing`);
  if (next !== doc) writeFileSync(path, next);
}
