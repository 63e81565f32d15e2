// The argument tables of the docs are the field tables': this fails when a marked section of
// docs/provider-lxc.md or docs/mounts-and-devices.md differs from what the tables render (run
// `npm run docs:fields`), and when an argument the schema accepts is missing from them.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DOC_SECTIONS, withSection } from "../../../providers/lxc/fields/docs.js";
import { knownKeysAt } from "../../../src/provider/schema.js";
import { lxcContainerSchema } from "../../../providers/lxc/schema.js";

const read = (file: string) => readFileSync(fileURLToPath(new URL(`../../../${file}`, import.meta.url)), "utf8");

describe("generated argument tables in the docs", () => {
  it.each(DOC_SECTIONS.map((s) => [s.file, s] as const))("%s is current (npm run docs:fields)", (file, s) => {
    const doc = read(file);
    const next = withSection(doc, s.marker, s.render());
    expect(next, `${file} lacks the markers of section "${s.marker}"`).toBeDefined();
    expect(doc).toBe(next);
  });

  it("names every argument and block option the schema accepts", () => {
    const docs = DOC_SECTIONS.map((s) => s.render()).join("\n");
    const has = (name: string) => docs.includes(`\`${name}\``) || docs.includes(`\`${name} {`) || docs.includes(`\`${name} "NAME" {`);
    for (const k of knownKeysAt(lxcContainerSchema)) expect(has(k), k).toBe(true);
    for (const block of ["rootfs", "network", "features", "startup", "mount", "device", "gpu"]) {
      const path = ["network", "mount", "device"].includes(block) ? [block, "NAME"] : [block];
      const options = knownKeysAt(lxcContainerSchema, path);
      expect(options.length, block).toBeGreaterThan(0);
      const section = docs.slice(docs.indexOf(`### \`${block}`));
      for (const k of options) expect(section.includes(`| \`${k}\``), `${block}.${k}`).toBe(true);
    }
  });

  it("a section whose markers are missing is reported, not written", () => {
    expect(withSection("no markers here\n", "lxc-arguments", "x")).toBeUndefined();
  });
});
