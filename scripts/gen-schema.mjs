// Writes schema/pmxform.schema.json (the YAML editor schema) from the built provider schemas;
// `npm run build` runs it, and test/config/json-schema.test.ts fails when the file is stale.
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../dist/src/provider/json-schema.js";
import { proxmoxProvider } from "../dist/providers/index.js";

const out = new URL("../schema/pmxform.schema.json", import.meta.url);
writeFileSync(out, `${JSON.stringify(configJsonSchema(proxmoxProvider().resourceTypes), null, 2)}\n`);
