import { describe, expect, it } from "vitest";
import { explainPveError, pveError } from "../../../providers/lxc/errors.js";
import { generateConfig, importContainer, parseImportId } from "../../../providers/lxc/import.js";
import { diffContainer } from "../../../providers/lxc/diff.js";
import { recordedSnapshot } from "./helpers.js";

const A = "lxc_container.web";

describe("pct error messages (pve-reference §5 texts)", () => {
  it.each([
    ["CT 120 already exists on node 'pve1'", /VMID 120 was taken on node pve1.*plan/],
    ["unable to create CT 120 - VM 120 already exists on node 'pve2'", /VMID 120 was taken on node pve2/],
    ["storage 'fast' does not exist", /storage "fast" does not exist/],
    ["400 Parameter verification failed.\nstorage: storage 'local' does not support container directories", /cannot hold container volumes/],
    ["unable to create CT 120 - can't find file 'local:vztmpl/x.tar.zst'", /template local:vztmpl\/x.tar.zst was not found/],
    ["CT is locked (backup)", /locked \(backup\)/],
    ["can't lock file '/run/lock/lxc/pve-config-120.lock' - got timeout", /another operation holds/],
    ["detected modified configuration - file changed by other user? Try again.", /changed outside pmxform since the plan/],
    ["can't remove CT 120 - protection mode enabled", /protection enabled/],
  ])("%s", (stderr, re) => {
    const msg = explainPveError(stderr, A);
    expect(msg).toMatch(re);
    expect(msg!.startsWith(A)).toBe(true);
  });

  it("falls back to the last stderr lines and keeps the cause", () => {
    const cause = Object.assign(new Error("pct set failed (exit 2)"), { stderr: "something odd\nreally odd" });
    const e = pveError(cause, A, "pct set");
    expect(e.message).toBe(`${A}: pct set failed: something odd really odd`);
    expect(e.cause).toBe(cause);
  });
});

describe("import", () => {
  it("parses NODE/VMID and VMID", () => {
    expect(parseImportId("pve1/101")).toEqual({ node: "pve1", vmid: 101 });
    expect(parseImportId("101")).toEqual({ vmid: 101 });
    expect(parseImportId("web")).toBeUndefined();
  });

  it("imports from the snapshot; wrong node or missing vmid gives null", () => {
    const snap = recordedSnapshot();
    expect(importContainer(A, "pve2/101", snap)).toBeNull();
    expect(importContainer(A, "999", snap)).toBeNull();
    expect(() => importContainer(A, "x/y", snap)).toThrow(/NODE\/VMID/);
    expect(importContainer(A, "101", snap)?.["hostname"]).toBe("web01");
  });

  it("generated config re-plans as no-op (nothing forces replacement)", () => {
    const snap = recordedSnapshot();
    const attrs = importContainer(A, "pve2/102", snap)!;
    const config = generateConfig(attrs);
    expect(config).toMatchObject({ node: "pve2", vmid: 102, hostname: "db", memory: 2048, unprivileged: true, rootfs: { storage: "local", size: "4G" } });
    expect(config["digest"]).toBeUndefined();
    const d = diffContainer({ address: A, config: { ...config, template: "local:vztmpl/alpine.tar.xz" }, prior: attrs, snapshot: snap, claimedVmids: new Set(), forceReplace: false });
    expect(d.reasons).toEqual([]);
    expect(d.action).toBe("no-op");
  });

  it("imported mounts get slot names and round-trip", () => {
    const snap = recordedSnapshot();
    const attrs = importContainer(A, "pve1/101", snap)!;
    const config = generateConfig(attrs);
    expect(Object.keys(config["mount"] as object)).toEqual(["mp0", "mp1"]);
    const d = diffContainer({ address: A, config, prior: attrs, snapshot: snap, claimedVmids: new Set(), forceReplace: false });
    expect(d.action).toBe("no-op");
  });
});
