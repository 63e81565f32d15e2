// Entry point of configuration generation: one function, the format chosen by the caller.
import { writeHcl } from "./hcl.js";
import type { GeneratedResource } from "./model.js";
import { writeYaml } from "./yaml.js";

export type GeneratedFormat = "hcl" | "yaml";

export function writeGenerated(resources: readonly GeneratedResource[], format: GeneratedFormat, header: string[] = []): string {
  return format === "yaml" ? writeYaml(resources, header) : writeHcl(resources, header);
}
