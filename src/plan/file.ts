// Saved plan files (`plan --out`): written atomically with mode 0600 and a checksum over their
// canonical content; read back only when intact, of a known format, and unmodified.

import { readFile } from "node:fs/promises";
import { z } from "zod";
import { atomicWrite } from "../state/store.js";
import { isEnvelope, type Encryptor } from "../state/encryption.js";
import { canonicalJson, sha256Hex } from "./canonical.js";
import { PLAN_FORMAT_VERSION, type PlanFile, type PlannedChange } from "./types.js";

/** A plan file that cannot be applied or shown; the message says why and what to do. */
export class PlanFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly reason: "unreadable" | "not-json" | "format-version" | "invalid" | "checksum",
  ) {
    super(message);
    this.name = "PlanFileError";
  }
}

/** The checksum a plan must carry: sha256 of the canonical JSON of everything but `checksum`. */
export function planChecksum(plan: Omit<PlanFile, "checksum"> | PlanFile): string {
  const { checksum: _ignored, ...rest } = plan as PlanFile;
  return sha256Hex(canonicalJson(rest));
}

/**
 * Writes the plan with a fresh checksum. Values at each change's sensitive_paths are nulled on the
 * way out whatever the caller passed: secrets never reach a plan file.
 */
export async function writePlanFile(path: string, plan: Omit<PlanFile, "checksum"> | PlanFile, encryption?: Encryptor): Promise<PlanFile> {
  const { checksum: _ignored, ...rest } = plan as PlanFile;
  const body: Omit<PlanFile, "checksum"> = { ...rest, changes: rest.changes.map(redactChange) };
  const full: PlanFile = { ...body, checksum: planChecksum(body) };
  const text = JSON.stringify(full, null, 2) + "\n";
  // With an encryption block the plan is encrypted as the state is (it holds the prior state).
  await atomicWrite(path, encryption ? [await encryption.encode(Buffer.from(text))] : text, 0o600, "the plan file");
  return full;
}

/**
 * Reads a plan file. An encrypted one needs `decrypt` (which loads the encryption block only
 * then); its EncryptionError says which key is missing.
 */
export async function readPlanFile(path: string, decrypt?: (bytes: Buffer) => Promise<Buffer>): Promise<PlanFile> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (isEnvelope(bytes)) {
      if (!decrypt)
        throw new PlanFileError(`The plan file ${path} is encrypted, and this command cannot decrypt it. Run it in the working directory whose encryption block wrote the plan.`, path, "unreadable");
      text = (await decrypt(bytes)).toString("utf8");
    } else text = bytes.toString("utf8");
  } catch (err) {
    if (err instanceof PlanFileError || (err as Error).name === "EncryptionError") throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new PlanFileError(
      code === "ENOENT" ? `The plan file ${path} does not exist. Create it with pmxform plan --out ${path}.` : `The plan file ${path} cannot be read: ${(err as Error).message}.`,
      path,
      "unreadable",
    );
  }
  const remake = `Create a new plan with pmxform plan --out ${path}.`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PlanFileError(`The plan file ${path} is not a pmxform plan, or it is truncated (${(err as Error).message}). ${remake}`, path, "not-json");
  }
  const version = (data as { format_version?: unknown } | null)?.format_version;
  if (version !== PLAN_FORMAT_VERSION) {
    const what =
      typeof version === "number" && version > PLAN_FORMAT_VERSION
        ? `was written by a newer pmxform (plan format ${version}; this pmxform reads format ${PLAN_FORMAT_VERSION}). Apply it with the pmxform version that created it, or`
        : version === undefined
          ? "is not a pmxform plan (it has no format_version). If it should be one,"
          : `has an unknown plan format version ${JSON.stringify(version)}. If it should be one,`;
    throw new PlanFileError(`The plan file ${path} ${what} ${remake[0]!.toLowerCase()}${remake.slice(1)}`, path, "format-version");
  }
  const parsed = planFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
    throw new PlanFileError(`The plan file ${path} is not a valid pmxform plan:\n  ${problems.join("\n  ")}\n${remake}`, path, "invalid");
  }
  const plan = data as PlanFile; // the unparsed data: the checksum covers exactly what is on disk
  if (planChecksum(plan) !== plan.checksum) {
    throw new PlanFileError(`The plan file ${path} was modified after it was created (its checksum does not match its content). ${remake}`, path, "checksum");
  }
  return plan;
}

function redactChange(c: PlannedChange): PlannedChange {
  if (!c.sensitive_paths?.length) return c;
  return { ...c, before: nullPaths(c.before, c.sensitive_paths), after: nullPaths(c.after, c.sensitive_paths) };
}

function nullPaths(obj: Record<string, unknown> | null, paths: (string | number)[][]): Record<string, unknown> | null {
  if (!obj) return obj;
  const copy = structuredClone(obj);
  for (const path of paths) {
    let cur: unknown = copy;
    for (let i = 0; i < path.length - 1 && cur !== null && typeof cur === "object"; i++) cur = (cur as Record<string | number, unknown>)[path[i]!];
    const last = path[path.length - 1];
    if (last === undefined || cur === null || typeof cur !== "object") continue;
    const holder = cur as Record<string | number, unknown>;
    if (holder[last] !== undefined) holder[last] = null;
  }
  return copy;
}

const attrPaths = z.array(z.array(z.union([z.string(), z.number()])));

const plannedChange = z.looseObject({
  address: z.string().min(1),
  type: z.string().min(1),
  name: z.string(),
  index: z.union([z.number(), z.string()]).optional(),
  node: z.string().optional(),
  actions: z.array(z.enum(["create", "update", "delete", "read", "no-op", "import", "move"])).min(1),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  after_unknown: attrPaths,
  reasons: z.array(z.looseObject({ path: z.array(z.string()), reason: z.string() })),
  sensitive_paths: attrPaths,
  moved_from: z.string().optional(),
  import_id: z.string().optional(),
  deposed: z.string().optional(),
});

const planFileSchema = z.looseObject({
  format_version: z.literal(PLAN_FORMAT_VERSION),
  pmxform_version: z.string(),
  created: z.string(),
  lineage: z.string().nullable(),
  serial: z.number().int().nonnegative().nullable(),
  state_path_hint: z.string().optional(),
  config_digest: z.string(),
  variables_digest: z.string(),
  cwd_digest: z.string().optional(),
  backend: z.string().optional(),
  workspace: z.string().optional(),
  prior_state: z.looseObject({ lineage: z.string(), serial: z.number(), resources: z.array(z.unknown()) }).nullable(),
  changes: z.array(plannedChange),
  options: z.looseObject({ destroy: z.boolean(), refresh_only: z.boolean(), targets: z.array(z.string()), replace: z.array(z.string()) }),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});
