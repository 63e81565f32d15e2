// Issue 23 "done when": a seeded fuzz run over hostile configurations, HCL and YAML — byte
// mutations of real configurations and crafted attacks (deep nesting of every kind, values built
// deep through locals and decoders, Object.prototype names, alias bombs, unclosed strings, huge
// and endless inputs, instance-count and regex bombs), each also mutated. Each configuration is
// validated by the built pipeline in a worker thread with caps: wall time (PMXFORM_FUZZ_TIME_MS),
// heap (256 MB old generation) and the main thread's stack size (1 MB, so recursion that passes
// here passes in the CLI). It must end in diagnostics (never an exception, an internal error, a
// stack overflow, a time-out or the memory cap), and every diagnostic about the file must point
// inside it. 200 configurations in the normal suite; `npm run test:soak` runs 2,000
// (PMXFORM_FUZZ_CONFIGS); the seed is in the title and PMXFORM_FUZZ_SEED replays it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, ROOT } from "../e2e/helpers.js";
import { mutateBytes } from "../helpers/mutate.js";
import { prng } from "../helpers/prng.js";

const COUNT = Number(process.env["PMXFORM_FUZZ_CONFIGS"] ?? 200);
const SEED = Number(process.env["PMXFORM_FUZZ_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const TIME_MS = Number(process.env["PMXFORM_FUZZ_TIME_MS"] ?? 20_000);
const LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 1 };

const SEEDS = ["hcl/main.pmx.hcl", "hcl/fleet.pmx.hcl", "yaml/main.pmx.yaml", "yaml/fleet.pmx.yaml"].map((p) => join(ROOT, "test/fixtures/config/basic", p));
const PROTO = Object.getOwnPropertyNames(Object.prototype);
const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

type Config = { kind: string; name: string; text: string | Buffer };

/** One crafted attack; `big` scales the sizes (the soak run goes further than the slice). */
function attack(rnd: () => number, big: boolean): Config {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const n = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const depth = pick([n(150, 260), n(150, 260), big ? 10_000 : 3_000]);
  const hcl = (expr: string) => `locals {\n  x = ${expr}\n}\noutput "o" {\n  value = local.x\n}\n`;
  const kinds: (() => Config)[] = [
    () => {
      const [open, mid, close] = pick([
        ["!", "true", ""],
        ["-", "1", ""],
        ["1 + ", "1", ""],
        ["true ? 1 : ", "2", ""],
        ["", "[1]", "[*]"],
        ["", "{a = 1}", ".a"],
        ["[", "", "]"],
        ["(", "1", ")"],
        ["{a = ", "1", "}"],
        ["abs(", "1", ")"],
        ['"${', "1", '}"'],
        ["%{ if true }", "a", "%{ endif }"],
        ["[for x in [1] : ", "x", "]"],
      ] as const);
      const body = open === "%{ if true }" ? `"${open.repeat(depth)}${mid}${close.repeat(depth)}"` : `${open.repeat(depth)}${mid}${close.repeat(depth)}`;
      const where = pick(["attr", "heredoc", "yaml", "crlf"]);
      if (where === "heredoc") return { kind: `deep ${open || close} in a heredoc`, name: "main.pmx.hcl", text: hcl(`<<EOT\n\${${body}}\nEOT`) };
      if (where === "yaml") return { kind: `deep ${open || close} in a YAML string`, name: "main.pmx.yaml", text: `locals:\n  x: '\${${body.replace(/'/g, "''")}}'\n` };
      const text = hcl(body);
      return { kind: `deep ${open || close}${where === "crlf" ? " (CRLF)" : ""}`, name: "main.pmx.hcl", text: where === "crlf" ? text.replace(/\n/g, "\r\n") : text };
    },
    () => {
      const k = n(150, big ? 3000 : 400);
      const lines = Array.from({ length: k }, (_, i) =>
        i === 0
          ? "  l0 = {}\n"
          : `  l${i} = ${pick(["[local.l%]", "{ a = local.l% }", "merge({ a = local.l% })", "[for x in [1] : local.l%]", "jsondecode(jsonencode([local.l%]))"]).replace("%", String(i - 1))}\n`,
      );
      return {
        kind: "deep value through locals",
        name: "main.pmx.hcl",
        text: `locals {\n${lines.join("")}}\noutput "o" {\n  value = ${pick(["jsonencode", "yamlencode", "flatten", "keys", "tostring"])}(local.l${k - 1})\n}\n`,
      };
    },
    () => {
      const d = pick([n(150, 260), big ? 20_000 : 3_000]);
      return { kind: "deep string in a decoder", name: "main.pmx.hcl", text: hcl(`${pick(["jsondecode", "yamldecode"])}("${"[".repeat(d)}${"]".repeat(d)}")`) };
    },
    () => {
      const names = PROTO.filter(() => rnd() < 0.6);
      const m = `{ ${names.map((p) => `"${p}" = "${p}"`).join(", ")} }`;
      return {
        kind: "Object.prototype names",
        name: "main.pmx.hcl",
        text: `${names.map((p) => `variable "${p}" {\n  default = 1\n}\n`).join("")}locals {\n${names.map((p) => `  ${p} = var.${p}\n`).join("")}  m = ${m}\n}\nresource "lxc_container" "c" {\n  for_each = local.m\n  node = "pve1"\n  template = "${TEMPLATE}"\n${names.map((p) => `  network "${p}" {\n    bridge = "vmbr0"\n  }\n`).join("")}}\noutput "j" {\n  value = [jsonencode(local.m), yamlencode(local.m), keys(merge(local.m, local.m))]\n}\n`,
      };
    },
    () => {
      const items = n(10, big ? 60_000 : 5_000);
      const aliases = n(5, 150);
      return {
        kind: "YAML alias expansion",
        name: "main.pmx.yaml",
        text: `locals:\n  a: &a [${Array(items).fill("xxxxxxxx").join(",")}]\n${Array.from({ length: aliases }, (_, i) => `  b${i}: *a\n`).join("")}`,
      };
    },
    () => {
      const nest = n(2, 9);
      let y = "locals:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
      for (let i = 1; i < nest; i++)
        y += `  a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]\n`;
      return { kind: "billion laughs", name: "main.pmx.yaml", text: y };
    },
    () => ({ kind: "unclosed string", name: "main.pmx.hcl", text: `locals {\n  x = "${"a".repeat(n(1, big ? 10 * 1024 * 1024 : 300_000))}\n  y = 1\n}\n` }),
    () => {
      const size = n(1000, big ? 7 * 1024 * 1024 : 700_000);
      const b = Buffer.alloc(size);
      const printable = rnd() < 0.7;
      for (let i = 0; i < size; i++) b[i] = printable ? 32 + Math.floor(rnd() * 95) : Math.floor(rnd() * 256);
      return { kind: printable ? "text that is not HCL" : "binary", name: pick(["main.pmx.hcl", "main.pmx.yaml"]), text: b };
    },
    () => ({
      kind: "instance counts",
      name: "main.pmx.hcl",
      text: `resource "lxc_container" "c" {\n  count = ${pick(["100001", "1000000000", "9007199254740993", "-1", "1.5", "1e300", "100000"])}\n  node = "pve1"\n  template = "${TEMPLATE}"\n}\n`,
    }),
    () => ({
      kind: "regex and function bombs",
      name: "main.pmx.hcl",
      text: hcl(
        pick([
          `regex("(a+)+$", "${"a".repeat(n(20, 5000))}!")`,
          `length(file("/dev/zero"))`,
          `file("/dev/urandom")`,
          `length(range(1024))`,
          `formatlist("%s", range(1024))`,
          `setproduct(range(50), range(50), range(50))`,
          `length(join(",", [for i in range(1024) : format("%01000d", i)]))`,
        ]),
      ),
    }),
  ];
  return pick(kinds)();
}

function generate(rnd: () => number, i: number, big: boolean): Config {
  const seeds = SEEDS.map((p) => readFileSync(p));
  const r = rnd();
  if (r < 0.35) {
    const k = Math.floor(rnd() * seeds.length);
    return { kind: "mutated configuration", name: SEEDS[k]!.endsWith(".yaml") ? "main.pmx.yaml" : "main.pmx.hcl", text: mutateBytes(seeds[k]!, rnd) };
  }
  const a = attack(rnd, big);
  // Some attacks are mutated too: half-broken attacks reach other parser paths.
  if (r > 0.8 && Buffer.byteLength(a.text) < 2_000_000) return { ...a, kind: `${a.kind}, mutated`, text: mutateBytes(Buffer.from(a.text), rnd) };
  void i;
  return a;
}

class Pool {
  private workers: { w: Worker; busy: boolean }[] = [];
  constructor(private readonly size: number) {}

  private spawn(): Promise<Worker> {
    const w = new Worker(join(ROOT, "test/reliability/hostile-fuzz-worker.mjs"), { workerData: { root: ROOT }, resourceLimits: LIMITS, stdout: true, stderr: true });
    return new Promise((resolve, reject) => {
      w.once("message", (m: { ready?: boolean }) => (m.ready ? resolve(w) : reject(new Error("worker did not start"))));
      w.once("error", reject);
    });
  }

  async run(
    dir: string,
    id: number,
  ): Promise<{
    diagnostics?: { summary: string; detail: string; subject?: { file: string; start: { line: number; column: number; offset: number }; end: { line: number; column: number; offset: number } } }[];
    thrown?: string;
    failure?: string;
    ms: number;
  }> {
    let slot = this.workers.find((s) => !s.busy);
    if (!slot) {
      slot = { w: await this.spawn(), busy: false };
      this.workers.push(slot);
    }
    slot.busy = true;
    const { w } = slot;
    const started = Date.now();
    const result = await new Promise<{ diagnostics?: never[]; thrown?: string; failure?: string }>((resolve) => {
      const timer = setTimeout(() => resolve({ failure: `took over ${TIME_MS} ms` }), TIME_MS);
      const onMessage = (m: { id: number }) => {
        if (m.id !== id) return;
        clearTimeout(timer);
        w.off("error", onError);
        w.off("message", onMessage);
        resolve(m as never);
      };
      const onError = (e: Error) => {
        clearTimeout(timer);
        w.off("message", onMessage);
        resolve({ failure: `worker died: ${(e as NodeJS.ErrnoException).code ?? ""} ${e.message}` });
      };
      w.on("message", onMessage);
      w.once("error", onError);
      w.postMessage({ id, dir });
    });
    if (result.failure) {
      // A worker that hit a cap is not reused.
      await w.terminate();
      this.workers = this.workers.filter((s) => s.w !== w);
    } else slot.busy = false;
    return { ...result, ms: Date.now() - started };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}

describe.skipIf(!BUILT)(`hostile configuration fuzzing${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const base = mkdtempSync(join(tmpdir(), "pmx-fuzz-"));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it(
    `survives ${COUNT} hostile configurations under time and memory caps (seed ${SEED}; PMXFORM_FUZZ_SEED replays)`,
    async () => {
      const rnd = prng(SEED);
      const big = COUNT > 500;
      const configs = Array.from({ length: COUNT }, (_, i) => generate(rnd, i, big));
      const pool = new Pool(2);
      const failures: string[] = [];
      const byKind = new Map<string, { n: number; maxMs: number }>();
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < configs.length; i = next++) {
          const c = configs[i]!;
          const dir = join(base, String(i));
          mkdirSync(dir);
          writeFileSync(join(dir, c.name), c.text);
          const r = await pool.run(dir, i);
          const k = byKind.get(c.kind.replace(/, mutated$/, "")) ?? { n: 0, maxMs: 0 };
          byKind.set(c.kind.replace(/, mutated$/, ""), { n: k.n + 1, maxMs: Math.max(k.maxMs, r.ms) });
          const source = Buffer.isBuffer(c.text) ? c.text.toString("utf8") : c.text;
          const lines = source.split("\n").length;
          const bytes = Buffer.byteLength(source);
          const problems: string[] = [];
          if (r.failure) problems.push(r.failure);
          if (r.thrown) problems.push(`exception: ${r.thrown.slice(0, 500)}`);
          for (const d of r.diagnostics ?? []) {
            if (/internal error|Maximum call stack|out of memory/i.test(`${d.summary} ${d.detail}`)) problems.push(`${d.summary}: ${d.detail.slice(0, 300)}`);
            if (!d.subject || !d.subject.file.endsWith(c.name)) continue;
            for (const p of [d.subject.start, d.subject.end]) {
              if (!(p.line >= 1 && p.line <= lines && p.column >= 1 && p.offset >= 0 && p.offset <= bytes))
                problems.push(`${d.summary} at ${JSON.stringify(p)} outside the file (${lines} lines, ${bytes} bytes)`);
            }
          }
          if (problems.length) {
            // Kept for a person to replay with `pmxform validate` in that directory.
            const kept = join(tmpdir(), "pmx-fuzz-failures", `${SEED}-${i}`);
            mkdirSync(kept, { recursive: true });
            writeFileSync(join(kept, c.name), c.text);
            failures.push(`config ${i} (${c.kind}, seed ${SEED}, kept in ${kept}): ${problems.join("; ")}`);
          }
          rmSync(dir, { recursive: true, force: true });
        }
      };
      try {
        await Promise.all([lane(), lane()]);
      } finally {
        await pool.close();
      }
      const summary = [...byKind]
        .sort()
        .map(([k, v]) => `${k}: ${v.n} (max ${v.maxMs} ms)`)
        .join("; ");
      if (process.env["PMXFORM_FUZZ_VERBOSE"]) process.stdout.write(`hostile fuzz seed ${SEED}: ${COUNT} configs, ${failures.length} failures; ${summary}\n`);
      expect(failures, summary).toEqual([]);
    },
    Math.max(120_000, COUNT * 2_000),
  );
});
