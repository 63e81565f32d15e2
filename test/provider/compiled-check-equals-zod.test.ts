// The compiled configuration check must be invisible: whenever it vouches for a value, zod accepts
// the value too and returns the same output (same keys in the same order, same conversions).
// Checked on seeded random configurations of every resource type, mostly valid ones so that the
// fast path really is taken, with a sprinkling of wrong values, unknowns and odd shapes.
import { describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { buildRegistry } from "../../src/registry-wiring.js";
import { DEFER, fastCheckOf, fastParse } from "../../src/provider/fast-validate.js";
import { Unknown } from "../../src/config/value.js";
import { prng } from "../helpers/prng.js";

const registry = await buildRegistry();
const types = registry.typeNames().map((n) => ({ name: n, type: registry.resourceType(n)! }));

type Def = { type: string; innerType?: ZodType; shape?: Record<string, ZodType>; valueType?: ZodType };
const defOf = (s: ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Leaf candidates: valid for some attribute or other, and plenty that are wrong everywhere. */
const POOL: unknown[] = [
  "",
  "vmbr0",
  "pve1",
  "10.0.0.5/24",
  "dhcp",
  "manual",
  "10.0.0.1",
  "auto",
  "fd00::1/64",
  "fd00::1",
  "8G",
  "1.5G",
  "7M",
  "512M",
  "0.001M",
  "2T",
  "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
  "local:vztmpl/nginx_1.27.tar",
  "debian-12-standard_12.7-1_amd64.tar.zst",
  "passthrough",
  "u:0:100000:65536;g:0:100000:65536",
  "u:0:100000",
  "Europe/Berlin",
  "host",
  "local:snippets/hook.sh",
  "local-lvm",
  "a,b",
  "a=b",
  "line\nbreak",
  "true",
  "false",
  "512",
  " 512 ",
  "-1",
  "1.5",
  "1e3",
  "BC:24:11:00:00:01",
  "BD:24:11:00:00:01",
  "debian",
  "alpine",
  "amd64",
  "arm64",
  "intel",
  "nvidia",
  "discard",
  "noatime",
  "/dev/net/tun",
  "/dev/dri/renderD128",
  "0660",
  "/tank/data",
  "/data",
  "lxc.apparmor.profile: unconfined",
  "é😀",
  "web-1.example.com",
  "-bad-",
  "100;200",
  "shell",
  "console",
  "docker.io/library/nginx:1.27",
  "nginx",
  "sha256:" + "a".repeat(64),
  "KEY=value",
  0,
  1,
  -1,
  2,
  16,
  64,
  100,
  255,
  256,
  512,
  4094,
  65535,
  1.5,
  0.5,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  999999999,
  1e10,
  true,
  false,
  null,
  undefined,
];

function shapeOf(s: ZodType): ZodType {
  return defOf(s).type === "optional" ? defOf(s).innerType! : s;
}

/** Pool values zod accepts for `leaf` (memoised per schema object). */
const accepted = new Map<ZodType, unknown[]>();
function validFor(leaf: ZodType): unknown[] {
  let a = accepted.get(leaf);
  if (!a) {
    a = POOL.filter((v) => leaf.safeParse(v).success);
    accepted.set(leaf, a);
  }
  return a;
}

function ownKey(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function generate(s: ZodType, rnd: () => number, wrongRate: number, depth = 0): unknown {
  const inner = shapeOf(s);
  const d = defOf(inner);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  if (rnd() < wrongRate / 3) return pick([...POOL, [], {}, new Unknown("string"), ["x", 1], { a: 1 }]);
  if (d.type === "object" && d.shape) {
    const out: Record<string, unknown> = {};
    const keys = Object.keys(d.shape);
    // Sometimes the input's key order differs from the schema's.
    if (rnd() < 0.3) keys.reverse();
    for (const k of keys) {
      const optional = defOf(d.shape[k]!).type === "optional";
      if (optional && rnd() < 0.55) continue;
      ownKey(out, k, generate(d.shape[k]!, rnd, wrongRate, depth + 1));
    }
    if (rnd() < wrongRate) ownKey(out, pick(["bogus", "__proto__", "Hostname"]), "x");
    return out;
  }
  if (d.type === "record" && d.valueType) {
    const out: Record<string, unknown> = {};
    const n = Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) ownKey(out, pick(["eth0", "eth1", "data", "media", "0", "a b", rnd() < wrongRate ? "__proto__" : "tun"]), generate(d.valueType, rnd, wrongRate, depth + 1));
    return out;
  }
  if (rnd() < 0.05) return new Unknown("any");
  // A leaf: lists and maps of leaves are built from their item schema when zod's union shows one.
  const first = (d as { options?: ZodType[] }).options?.[0];
  const fd = first ? (defOf(first) as Def & { element?: ZodType }) : undefined;
  if (fd?.type === "array" && fd.element) return Array.from({ length: Math.floor(rnd() * 3) }, () => generate(fd.element!, rnd, wrongRate, depth + 1));
  if (fd?.type === "record" && fd.valueType) return generate(first!, rnd, wrongRate, depth + 1);
  const valid = validFor(inner);
  if (rnd() < wrongRate || valid.length === 0) return pick(POOL);
  return pick(valid);
}

/** A rendering that tells key order, Unknown identity, NaN and -0 apart. */
function render(v: unknown, unknowns: unknown[]): string {
  if (v instanceof Unknown) return `U${unknowns.indexOf(v) >= 0 ? unknowns.indexOf(v) : unknowns.push(v) - 1}`;
  if (Array.isArray(v)) return `[${v.map((x) => render(x, unknowns)).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .map((k) => `${JSON.stringify(k)}:${render((v as Record<string, unknown>)[k], unknowns)}`)
      .join(",")}}`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  return v === undefined ? "undefined" : JSON.stringify(v);
}

/**
 * `v` with every own "__proto__" key renamed to an ordinary label, in place (key order kept).
 * zod's record strips a "__proto__" key unvalidated; the fast path deliberately keeps it as data
 * (issue 23.12: a network or env key named "__proto__" is a name like any other). Renamed, zod
 * is again the reference for what the fast path made of it.
 */
const PROTO_LABEL = "proto-label";
function renameProto(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(renameProto);
  if (typeof v !== "object" || v === null || v instanceof Unknown) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) ownKey(out, k === "__proto__" ? PROTO_LABEL : k, renameProto((v as Record<string, unknown>)[k]));
  return out;
}

describe("compiled configuration check", () => {
  it("exists for every resource type (else every plan pays zod's cold start)", () => {
    for (const { name, type } of types) expect(fastCheckOf(type.schema), name).toBeDefined();
  });

  for (const { name, type } of types) {
    it(`${name}: whatever it vouches for, zod accepts with the same output`, () => {
      const seed = 0x5eed + name.length;
      const rnd = prng(seed);
      let vouched = 0;
      let deferredButValid = 0;
      for (let i = 0; i < 3000; i++) {
        const wrongRate = i % 3 === 0 ? 0.1 : 0.005;
        const value = generate(type.schema, rnd, wrongRate);
        const fast = fastParse(type.schema, value);
        const slow = type.schema.safeParse(value);
        if (fast) {
          vouched++;
          expect(slow.success, `zod rejects what the fast check accepted (seed ${seed}, case ${i}): ${render(value, [])}`).toBe(true);
          const reference = type.schema.safeParse(renameProto(value));
          expect(reference.success, `zod rejects the "__proto__" label renamed (seed ${seed}, case ${i}): ${render(value, [])}`).toBe(true);
          const unknowns: unknown[] = [];
          expect(render(renameProto(fast.data), unknowns), `outputs differ (seed ${seed}, case ${i})`).toBe(render(reference.data, unknowns));
        } else if (slow.success) deferredButValid++;
      }
      // The fast path must carry the common case: most valid configurations never reach zod.
      expect(vouched, `vouched ${vouched}, deferred but valid ${deferredButValid}`).toBeGreaterThan(1000);
      expect(deferredButValid).toBeLessThan(vouched / 4);
    });
  }

  it("defers instead of deciding: wrong values, unknown keys, holes, odd prototypes", () => {
    const lxc = registry.resourceType("lxc_container")!.schema;
    const base = { node: "pve1", template: "local:vztmpl/a.tar.zst" };
    expect(fastParse(lxc, base)).toEqual({ data: base });
    expect(fastParse(lxc, { ...base, memory: "512" })).toEqual({ data: { node: "pve1", memory: 512, template: "local:vztmpl/a.tar.zst" } });
    for (const bad of [
      { ...base, memory: "lots" },
      { ...base, memory: 15 },
      { ...base, hostnme: "x" },
      { ...base, memory: undefined },
      { template: base.template },
      { ...base, tags: [, "a"] }, // eslint-disable-line no-sparse-arrays
      { ...base, network: { eth0: { bridge: "vmbr0", ip: "10.0.0.5" } } },
      Object.assign(Object.create({ inherited: 1 }) as object, base),
      new Unknown("object"),
    ]) {
      expect(fastParse(lxc, bad), render(bad, [])).toBeUndefined();
    }
    expect(DEFER).toBeTypeOf("symbol");
  });
});
