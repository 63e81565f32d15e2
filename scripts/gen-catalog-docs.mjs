// Writes the app list of docs/catalog.md (its marked section) from the catalog itself: each
// catalog/<app>/app.json and its module, loaded by the built loader. `npm run docs:catalog` runs
// it; test/catalog/catalog-docs.test.ts fails when the committed section is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { catalogRoot } from "../dist/src/catalog/catalog-root.js";
import { renderCatalog, withCatalogSection } from "../dist/src/catalog/docs.js";
import { readCatalog } from "../dist/src/catalog/entries.js";

const path = new URL("../docs/catalog.md", import.meta.url);
const { entries, diagnostics } = readCatalog(catalogRoot());
if (diagnostics.length) throw new Error(diagnostics.map((d) => `${d.summary}: ${d.detail}`).join("\n"));
const doc = readFileSync(path, "utf8");
const next = withCatalogSection(doc, await renderCatalog(entries));
if (next === undefined) throw new Error("docs/catalog.md: the markers of the generated catalog section are missing");
if (next !== doc) writeFileSync(path, next);
