// Finds the catalog and one app in it by name, with the diagnostics a user sees when either is
// missing (shared by `catalog show` and `init --app`).
import { error, type Diagnostic } from "../diag/diagnostic.js";
import { didYouMean } from "../config/structure.js";
import { catalogRoot } from "./catalog-root.js";
import { readCatalog, type CatalogEntry } from "./entries.js";

export function loadCatalog(): { entries: CatalogEntry[]; diagnostics: Diagnostic[] } {
  const root = catalogRoot();
  if (!root)
    return {
      entries: [],
      diagnostics: [error("App catalog not found", "This pmxform installation has no catalog/ directory next to its package.json. Reinstall pmxform (the npm package ships it).")],
    };
  return readCatalog(root);
}

export function findApp(name: string): { entry?: CatalogEntry; diagnostics: Diagnostic[] } {
  const { entries, diagnostics } = loadCatalog();
  const entry = entries.find((e) => e.name === name);
  if (entry) return { entry, diagnostics };
  const hint = didYouMean(
    name,
    entries.map((e) => e.name),
  );
  return {
    diagnostics: [...diagnostics, error("Unknown catalog app", `The catalog has no app named "${name}".${hint ? ` Did you mean "${hint}"?` : ""} Run pmxform catalog list to see every app.`)],
  };
}
