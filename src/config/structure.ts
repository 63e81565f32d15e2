// Which keys are nested blocks rather than attributes, per enclosing block type. The YAML front
// end needs this to turn maps into blocks; decode.ts uses the top-level part to validate files.
import { suggest } from "./eval/suggest.js";

export interface NestedBlockSpec {
  /** Labeled blocks (`network "eth0" { }`) are written in YAML as a map from label to body. */
  labeled: boolean;
}

/** Top-level block types and how many labels each takes. */
export const TOP_LEVEL_BLOCKS: Readonly<Record<string, { labels: string[] }>> = {
  variable: { labels: ["name"] },
  locals: { labels: [] },
  output: { labels: ["name"] },
  proxmox: { labels: [] },
  resource: { labels: ["type", "name"] },
  module: { labels: ["name"] },
  moved: { labels: [] },
  import: { labels: [] },
  backend: { labels: ["type"] },
  encryption: { labels: [] },
};

/** Nested blocks inside a resource body, for every resource type. */
export const RESOURCE_BLOCKS: Readonly<Record<string, NestedBlockSpec>> = {
  rootfs: { labeled: false },
  features: { labeled: false },
  startup: { labeled: false },
  gpu: { labeled: false },
  lifecycle: { labeled: false },
  auth: { labeled: false },
  network: { labeled: true },
  mount: { labeled: true },
  device: { labeled: true },
};

/** Nested blocks of the other top-level blocks. */
export const OTHER_BLOCKS: Readonly<Record<string, Readonly<Record<string, NestedBlockSpec>>>> = {
  variable: { validation: { labeled: false } },
  proxmox: { node: { labeled: true } },
  encryption: { fallback: { labeled: false } },
};

/**
 * Attributes whose value is an expression even when YAML gives it as a plain string: type
 * constraints and static references (`depends_on: [lxc_container.web]`, `from: a.b`).
 */
export const EXPRESSION_KEYS: ReadonlySet<string> = new Set(["type", "depends_on", "from", "to", "ignore_changes", "replace_triggered_by"]);

/** "Did you mean" for block and key names: a tighter limit than for values (one edit for short names). */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  return suggest(word, candidates, 1);
}
