// The yaml package, loaded on first use: about 40 ms of start-up (72 modules) that a run with
// only HCL files, no YAML variable file and no yamlencode/yamldecode never needs. The package's
// Node entry is CommonJS, so a synchronous require gives the same instance `import` would.
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

const require = createRequire(import.meta.url);
let lib: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  lib ??= require("yaml") as typeof Yaml;
  return lib;
}
