// docs/catalog.md's app list is generated from the catalog (scripts/gen-catalog-docs.mjs, npm run
// docs:catalog): fails when the committed list no longer matches the catalog.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCatalog, withCatalogSection } from "../../src/catalog/docs.js";
import { ROOT } from "../e2e/helpers.js";
import { catalogEntries } from "./helpers.js";

describe("docs/catalog.md", () => {
  it("holds the app list generated from the catalog (run npm run docs:catalog after changing an app)", async () => {
    const doc = readFileSync(join(ROOT, "docs/catalog.md"), "utf8");
    const expected = withCatalogSection(doc, await renderCatalog(catalogEntries()));
    expect(expected, "the generated section's markers are missing").toBeDefined();
    expect(doc).toBe(expected);
    for (const e of catalogEntries()) expect(doc).toContain(`### ${e.name}\n`);
  });
});
