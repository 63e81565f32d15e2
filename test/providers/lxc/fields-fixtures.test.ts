// The rootfs/mount options Proxmox stores (shared, ro, idmap; keepattrs) are read, declarable,
// written and never false drift: every real-world fixture of ../shared/fixtures/pve-conf (read,
// never edited; the options are added to the text in memory) is imported and re-planned as a
// no-op, and declaring an option on a container without it plans one pct set that, once the conf
// holds it, plans nothing more.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixturesDir, hasFixtures } from "../../pve/shared.js";
import { buildSnapshot, type LxcSnapshot } from "../../../providers/lxc/snapshot.js";
import { parseClusterResources, parseNodeLxcList } from "../../../providers/lxc/snapshot-parse.js";
import { generateConfig, importContainer, unexpressedAttrs } from "../../../providers/lxc/import.js";
import { diffContainer } from "../../../providers/lxc/diff.js";
import { computeChanges } from "../../../providers/lxc/changes.js";
import { pveKeysFromAttrs } from "../../../providers/lxc/conf-map.js";
import { lxcContainerSchema } from "../../../providers/lxc/schema.js";
import type { Attrs } from "../../../src/provider/types.js";

const A = "lxc_container.fixture";
const VMID = 200;
const IDMAP = "u:0:100000:65536;g:0:100000:65536";

function snapshotOf(text: string, running = false): LxcSnapshot {
  return buildSnapshot(
    parseClusterResources(
      JSON.stringify([
        { type: "node", node: "pve1" },
        { type: "lxc", node: "pve1", vmid: VMID, status: running ? "running" : "stopped" },
      ]),
    ),
    [{ node: "pve1", vmid: VMID, text }],
    [parseNodeLxcList(JSON.stringify([{ vmid: VMID, status: running ? "running" : "stopped" }]))],
  );
}

/** Adds `extra` sub-keys the line does not hold yet to every `KEY:` line of the current section. */
function withOptions(text: string, key: RegExp, extra: Record<string, string>): string {
  const lines = text.split("\n");
  const section = lines.findIndex((l) => /^\[/.test(l));
  return lines
    .map((l, i) => {
      if ((section >= 0 && i >= section) || !key.test(l)) return l;
      const add = Object.entries(extra).filter(([k]) => !new RegExp(`[:,]\\s*${k}=`).test(l));
      return add.length ? `${l.trimEnd()},${add.map(([k, v]) => `${k}=${v}`).join(",")}` : l;
    })
    .join("\n");
}

const amended = (text: string) => withOptions(withOptions(text, /^rootfs:/, { shared: "1", ro: "1", idmap: IDMAP }), /^mp\d+:/, { keepattrs: "1", shared: "1" });

function importAndPlan(text: string, running = false): { attrs: Attrs; config: Attrs; action: string; reasons: unknown[] } {
  const snap = snapshotOf(text, running);
  const attrs = importContainer(A, `pve1/${VMID}`, snap)!;
  expect(attrs).not.toBeNull();
  const config = generateConfig(attrs);
  const d = diffContainer({ address: A, config, prior: attrs, snapshot: snap, claimedVmids: new Set(), forceReplace: false });
  return { attrs, config, action: d.action, reasons: d.reasons };
}

const files = hasFixtures
  ? readdirSync(fixturesDir)
      .filter((f) => f.endsWith(".conf") && !/^entrypoint:/m.test(readFileSync(join(fixturesDir, f), "utf8")))
      .sort()
  : [];

describe.skipIf(!hasFixtures)(`real-world fixtures${hasFixtures ? "" : ` (skipped: ${fixturesDir} not found; set PMXFORM_SHARED to the shared directory)`}`, () => {
  it("holds system-container fixtures with a rootfs and with mounts", () => {
    const texts = files.map((f) => readFileSync(join(fixturesDir, f), "utf8"));
    expect(texts.filter((t) => /^rootfs:/m.test(t)).length).toBeGreaterThan(20);
    expect(texts.filter((t) => /^mp\d+:/m.test(t)).length).toBeGreaterThan(5);
  });

  it.each(files)("%s: import, then plan = no-op, as found and with shared/ro/idmap/keepattrs added", (file) => {
    const text = readFileSync(join(fixturesDir, file), "utf8");
    for (const [variant, t] of [
      ["as found", text],
      ["amended", amended(text)],
    ] as const) {
      for (const running of [false, true]) {
        const r = importAndPlan(t, running);
        expect({ variant, running, action: r.action, reasons: r.reasons }).toEqual({ variant, running, action: "no-op", reasons: [] });
        expect(lxcContainerSchema.safeParse(r.config).success, `${variant}: the generated arguments validate`).toBe(true);
        // None of these options is left out of the generated block as "not managed".
        expect(unexpressedAttrs(r.attrs).filter((n) => /^(rootfs|mount)\./.test(n))).toEqual([]);
      }
    }
    if (!/^rootfs:/m.test(text)) return;
    const { config } = importAndPlan(amended(text));
    expect(config["rootfs"]).toMatchObject({ shared: true, read_only: true, idmap: IDMAP });
    for (const m of Object.values((config["mount"] ?? {}) as Record<string, Attrs>)) expect(m).toMatchObject({ keep_attrs: true, shared: true });
  });

  it.each(files.filter((f) => /^rootfs:/m.test(readFileSync(join(fixturesDir, f), "utf8"))))("%s: declaring shared, read_only and idmap sets them once, then plans nothing", (file) => {
    const text = readFileSync(join(fixturesDir, file), "utf8");
    const snap = snapshotOf(text, true);
    const attrs = importContainer(A, `pve1/${VMID}`, snap)!;
    const config = generateConfig(attrs);
    const rootfs = { ...(config["rootfs"] as Attrs), shared: true, read_only: true, idmap: IDMAP };
    const d = diffContainer({ address: A, config: { ...config, rootfs }, prior: attrs, snapshot: snap, claimedVmids: new Set(), forceReplace: false });
    expect(d.action).toBe("update");
    // A rootfs option is kept pending by Proxmox while the container runs.
    expect(d.reasons).toEqual([{ path: ["rootfs"], reason: "requires restart" }]);
    const cs = computeChanges(attrs, d.planned);
    const value = cs.set.get("rootfs");
    expect([...cs.set.keys()]).toEqual(["rootfs"]);
    expect(value).toMatch(/(^|,)shared=1(,|$)/);
    expect(value).toMatch(/(^|,)ro=1(,|$)/);
    expect(value).toContain(`idmap=${IDMAP}`);
    // What pct set stores (its value plus the size pct keeps) reads back as the plan said: no-op.
    const size = /size=([^,\s]+)/.exec(/^rootfs:.*$/m.exec(text)![0])?.[1];
    const after = text.replace(/^rootfs:.*$/m, `rootfs: ${String(value)}${size ? `,size=${size}` : ""}`);
    const again = diffContainer({
      address: A,
      config: { ...config, rootfs },
      prior: importContainer(A, `pve1/${VMID}`, snapshotOf(after, true))!,
      snapshot: snapshotOf(after, true),
      claimedVmids: new Set(),
      forceReplace: false,
    });
    expect({ action: again.action, reasons: again.reasons }).toEqual({ action: "no-op", reasons: [] });
    expect(pveKeysFromAttrs(again.planned).get("rootfs")).toBe(value);
  });
});
