// Seeded random states and in-place mutations for the state-serialisation tests: the shapes an
// apply produces plus the awkward JSON corners (undefined, -0, unicode, lone surrogates, Dates).
import type { DeposedResource, StateFile, StateResource } from "../../src/state/types.js";

export type Rng = () => number;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

const STRINGS = [
  "",
  "a",
  "pve1",
  "dhcp",
  "ünïcødé",
  "日本語",
  "emoji 🚀🐧",
  'quote " and \\ backslash',
  "line\nbreak\ttab",
  "\u0000\u001f\u2028\u2029",
  "\ud800 lone",
  '"serial": 1,',
  "</script>",
  ",\n    {",
  "\n  ]\n}",
];
const NUMBERS = [0, -0, 1, -1, 42, 1024, 3.14, 1e21, 5e-7, -2.5e-300, Number.MAX_SAFE_INTEGER, 0.1 + 0.2];
const KEYS = ["node", "vmid", "hostname", "memory", "tags", "net0", "rootfs", "mounts", "ünï", "serial", "resources", "1", "0", "__proto__x", "a b", "z"];

export function randomValue(rng: Rng, depth = 0): unknown {
  const r = rng();
  if (depth > 3 || r < 0.5) {
    const kind = int(rng, 5);
    return kind === 0 ? pick(rng, STRINGS) : kind === 1 ? pick(rng, NUMBERS) : kind === 2 ? rng() < 0.5 : kind === 3 ? null : `s${int(rng, 1000)}`;
  }
  if (r < 0.75) return Array.from({ length: int(rng, 4) }, () => (rng() < 0.08 ? undefined : randomValue(rng, depth + 1)));
  return randomObject(rng, depth + 1);
}

export function randomObject(rng: Rng, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = int(rng, 5); i > 0; i--) out[pick(rng, KEYS)] = rng() < 0.08 ? undefined : randomValue(rng, depth);
  return out;
}

let counter = 0;
export function randomResource(rng: Rng): StateResource {
  const n = counter++;
  const r: StateResource = {
    address: `lxc_container.ct${n}`,
    type: "lxc_container",
    name: `ct${n}`,
    provider: "proxmox",
    attributes: randomObject(rng, 0),
    sensitive_attributes: rng() < 0.3 ? [["password_sha256"], ["net", 0]] : [],
    dependencies: rng() < 0.5 ? [`oci_image.i${int(rng, 5)}`] : [],
  };
  if (rng() < 0.3) r.index = rng() < 0.5 ? int(rng, 10) : `k${int(rng, 10)}`;
  if (rng() < 0.1) r.status = "tainted";
  return r;
}

export function randomState(rng: Rng): StateFile {
  const state: StateFile = {
    version: 1,
    pmxform_version: "0.1.0",
    lineage: "00000000-0000-4000-8000-00000000000" + int(rng, 10),
    serial: 0,
    resources: Array.from({ length: int(rng, 8) }, () => randomResource(rng)),
    outputs: {},
  };
  if (rng() < 0.5) state.outputs["o"] = { value: randomValue(rng), sensitive: rng() < 0.3 };
  if (rng() < 0.3) state.intents = [{ address: "lxc_container.x", operation: "create", node: "pve1", vmid: 100, started: "2026-01-01T00:00:00.000Z" }];
  if (rng() < 0.3 && state.resources.length) state.deposed = [{ ...state.resources[0]!, deposed_key: "0badcafe" }];
  if (rng() < 0.2) state.applied_plan = "abcd1234";
  return state;
}

/** A random nested container (object or array) inside a resource, for in-place changes. */
function containers(value: unknown, out: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (typeof value !== "object" || value === null) return out;
  out.push(value as Record<string, unknown> | unknown[]);
  for (const v of Object.values(value)) containers(v, out);
  return out;
}

/** One change of the kinds an apply or `state mv` makes, or none ("noop"). Returns its name. */
export function mutate(rng: Rng, state: StateFile): string {
  const rs = state.resources;
  const any = (): StateResource | undefined => (rs.length ? pick(rng, rs) : undefined);
  const kind = pick(rng, [
    "noop",
    "noop",
    "nested-set",
    "delete-readd",
    "set-undefined",
    "empty-array",
    "push",
    "move",
    "replace-copy",
    "replace-same",
    "add",
    "remove",
    "deposed",
    "intents",
    "output",
    "date",
    "unicode",
    "swap-two",
  ]);
  const r = any();
  switch (kind) {
    case "nested-set": {
      if (!r) return "noop";
      const c = pick(rng, containers(r.attributes));
      if (Array.isArray(c)) c[int(rng, c.length + 1)] = randomValue(rng, 2);
      else c[pick(rng, KEYS)] = randomValue(rng, 2);
      return kind;
    }
    case "delete-readd": {
      if (!r) return "noop";
      const obj = pick(
        rng,
        containers(r).filter((c): c is Record<string, unknown> => !Array.isArray(c)),
      );
      const keys = Object.keys(obj);
      if (!keys.length) return "noop";
      const k = pick(rng, keys);
      const v = obj[k];
      delete obj[k];
      obj[k] = v; // same content, another key order (unless it was last, or an integer key)
      return kind;
    }
    case "set-undefined": {
      if (!r) return "noop";
      r.attributes[pick(rng, KEYS)] = undefined;
      return kind;
    }
    case "empty-array": {
      const arrays = r ? containers(r).filter((c): c is unknown[] => Array.isArray(c)) : [];
      if (!arrays.length) return "noop";
      pick(rng, arrays).length = 0;
      return kind;
    }
    case "push": {
      if (!r) return "noop";
      r.dependencies.push(`lxc_container.d${int(rng, 100)}`);
      return kind;
    }
    case "move": {
      if (rs.length < 2) return "noop";
      const [moved] = rs.splice(int(rng, rs.length), 1);
      rs.splice(int(rng, rs.length + 1), 0, moved!);
      return kind;
    }
    case "replace-copy":
    case "replace-same": {
      if (!r) return "noop";
      const copy: StateResource = { ...r, attributes: { ...r.attributes } };
      if (kind === "replace-copy") copy.attributes["memory"] = int(rng, 4096);
      rs[rs.indexOf(r)] = copy; // as StateHolder.upsert: a new object at the same index
      return kind;
    }
    case "add":
      rs.splice(int(rng, rs.length + 1), 0, randomResource(rng));
      return kind;
    case "remove":
      if (!r) return "noop";
      rs.splice(rs.indexOf(r), 1);
      return kind;
    case "deposed": {
      if (state.deposed?.length && rng() < 0.5) {
        state.deposed.pop();
        if (!state.deposed.length) delete state.deposed;
      } else if (r) {
        // Sometimes the very object that is also in resources (a caller could share it).
        const d: DeposedResource =
          rng() < 0.5
            ? r
            : {
                ...r,
                deposed_key: int(rng, 2 ** 32)
                  .toString(16)
                  .padStart(8, "0"),
              };
        state.deposed = [...(state.deposed ?? []), d];
      } else return "noop";
      return kind;
    }
    case "intents":
      if (state.intents) delete state.intents;
      else state.intents = [{ address: r?.address ?? "x.y", operation: "delete", node: "pve2", started: "2026-01-01T00:00:00.000Z" }];
      return kind;
    case "output":
      state.outputs[pick(rng, ["o", "p"])] = { value: randomValue(rng), sensitive: false };
      return kind;
    case "date":
      if (!r) return "noop";
      r.attributes["when"] = new Date(Date.UTC(2026, 0, 1 + int(rng, 30)));
      return kind;
    case "unicode":
      if (!r) return "noop";
      r.attributes["hostname"] = pick(rng, STRINGS) + pick(rng, STRINGS);
      return kind;
    case "swap-two": {
      if (!r) return "noop";
      const { attributes, ...others } = r;
      for (const k of Object.keys(r)) delete (r as unknown as Record<string, unknown>)[k];
      Object.assign(r, { attributes }, others); // same members, attributes first
      return kind;
    }
    default:
      return "noop";
  }
}
