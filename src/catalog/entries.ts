// The catalog's entries: each app directory's app.json, checked against the shape the catalog
// promises (docs/catalog.md), in name order. A broken entry is a diagnostic, never a crash.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { error, type Diagnostic } from "../diag/diagnostic.js";

const portSchema = z.strictObject({ name: z.string().min(1), port: z.number().int().min(1).max(65535), protocol: z.enum(["tcp", "udp"]) });

export const appJsonSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, "a semantic version such as 1.0.0"),
  category: z.string().min(1),
  description: z.string().min(1),
  homepage: z.string().url(),
  upstream_version: z.string().min(1),
  /** The main image's repository and tag. */
  image: z.string().min(1),
  /** Its pinned digest, or null when none could be verified (then the tag is pinned). */
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .nullable(),
  /** Multi-container apps: every image reference by role. */
  images: z.record(z.string(), z.string()).optional(),
  /** Where the pinned digest was found. */
  image_source: z.string().min(1),
  ports: z.array(portSchema).min(1),
  gpu: z.array(z.enum(["intel", "amd", "nvidia"])),
});

export type AppJson = z.infer<typeof appJsonSchema>;

export interface CatalogEntry extends AppJson {
  /** The app's directory (the module source). */
  dir: string;
}

/** Every entry of the catalog at `root`, plus a diagnostic per directory whose app.json is missing or wrong. */
export function readCatalog(root: string): { entries: CatalogEntry[]; diagnostics: Diagnostic[] } {
  const entries: CatalogEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const names = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of names) {
    const file = join(root, name, "app.json");
    if (!existsSync(file)) {
      diagnostics.push(error("Catalog entry without app.json", `${join(root, name)} has no app.json. Add one (docs/catalog.md lists its fields) or remove the directory.`));
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      diagnostics.push(error("Invalid app.json", `${file} is not valid JSON (${e instanceof Error ? e.message : String(e)}). Fix the file.`));
      continue;
    }
    const parsed = appJsonSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      diagnostics.push(error("Invalid app.json", `${file}: ${first?.path.join(".") || "(top level)"}: ${first?.message}. Fix the entry (docs/catalog.md lists its fields).`));
      continue;
    }
    if (parsed.data.name !== name) {
      diagnostics.push(error("Invalid app.json", `${file} names the app "${parsed.data.name}" but lives in ${name}/. Make them equal.`));
      continue;
    }
    entries.push({ ...parsed.data, dir: join(root, name) });
  }
  return { entries, diagnostics };
}
