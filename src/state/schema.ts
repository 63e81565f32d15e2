// Validation of a state file read from disk: a file that does not match is refused with the
// path of the first problems, never "repaired" or overwritten. Unknown fields are kept (loose
// objects) so a newer minor build's additions survive a round trip through this one.

import { putKey } from "../config/value.js";
import { z } from "zod";
import type { StateFile } from "./types.js";

const attrPath = z.array(z.union([z.string(), z.number()]));

const resource = z.looseObject({
  address: z.string().min(1),
  type: z.string().min(1),
  name: z.string().min(1),
  index: z.union([z.number(), z.string()]).optional(),
  provider: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  sensitive_attributes: z.array(attrPath),
  dependencies: z.array(z.string()),
  status: z.literal("tainted").optional(),
});

const intent = z.object({
  address: z.string(),
  operation: z.string(),
  node: z.string(),
  vmid: z.number().int().optional(),
  file: z.string().optional(),
  started: z.string(),
});

const stateOutput = z.object({ value: z.unknown(), sensitive: z.boolean() });

export const stateFileSchema = z.looseObject({
  version: z.literal(1),
  pmxform_version: z.string(),
  lineage: z.string().min(1),
  serial: z.number().int().nonnegative(),
  resources: z.array(resource),
  outputs: z.record(z.string(), stateOutput),
  intents: z.array(intent).optional(),
  deposed: z
    .array(
      resource.extend({
        deposed_key: z
          .string()
          .regex(/^[0-9a-f]{8}$/)
          .optional(),
      }),
    )
    .optional(),
  applied_plan: z.string().optional(),
});

/** Returns the validated state or a list of "path: problem" lines. */
export function validateStateFile(data: unknown): { state: StateFile } | { problems: string[] } {
  const parsed = stateFileSchema.safeParse(data);
  if (parsed.success) {
    // zod's record drops a "__proto__" key, and `output "__proto__"` is a valid name: keep it.
    const outputs = (data as { outputs: object }).outputs;
    if (Object.hasOwn(outputs, "__proto__")) {
      const o = stateOutput.safeParse((outputs as Record<string, unknown>)["__proto__"]);
      if (!o.success) return { problems: ["outputs.__proto__: expected { value, sensitive }"] };
      putKey(parsed.data.outputs, "__proto__", o.data);
    }
    return { state: parsed.data };
  }
  return {
    problems: parsed.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`),
  };
}
