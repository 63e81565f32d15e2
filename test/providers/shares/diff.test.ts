// The pure side of both types: checks across arguments, what diff plans (operations with the
// file's body, or none of it when a value is only known at apply), and the refusal of a plan's
// operations this version does not know.
import { describe, expect, it } from "vitest";
import { Unknown } from "../../../src/config/value.js";
import type { ApplyContext, Attrs } from "../../../src/provider/types.js";
import { smbShare } from "../../../providers/shares/smb.js";
import { nfsShare } from "../../../providers/shares/nfs.js";
import { parseSharesDump } from "../../../providers/shares/snapshot.js";

const snapshotWith = (dump: string) => ({ shares: new Map([["pve1", parseSharesDump(dump)]]) });
const INCLUDED = "/etc/samba/smb.conf:[global]\n/etc/samba/smb.conf:include = /etc/samba/pmxform.conf\n";
const diffReq = (config: Attrs, prior: Attrs | null, snapshot: unknown) => ({ address: "smb_share.x", config, prior, snapshot, claimedVmids: new Set<number>(), forceReplace: false, lineage: "L1" });

describe("validate", () => {
  it("refuses Samba's special sections as share names, exports without clients, and all_squash with root_squash = false", () => {
    expect(smbShare.validate!({ node: "pve1", name: "Global", path: "/x" })[0]?.summary).toBe("Reserved share name");
    expect(nfsShare.validate!({ node: "pve1", name: "b", path: "/x" })[0]?.summary).toBe("No client");
    expect(nfsShare.validate!({ node: "pve1", name: "b", path: "/x", client: {} })[0]?.summary).toBe("No client");
    const squash = nfsShare.validate!({ node: "pve1", name: "b", path: "/x", client: { "*": { all_squash: true, root_squash: false } } });
    expect(squash[0]?.path).toEqual(["client", "*", "root_squash"]);
    expect(nfsShare.validate!({ node: "pve1", name: "b", path: "/x", client: { "bad spec": {} } })[0]?.path).toEqual(["client", "bad spec"]);
  });
});

describe("diff", () => {
  const config = { node: "pve1", name: "media", path: "/tank/media", read_only: false };

  it("plans a create as stage, testparm, commit, reload with the section's text", () => {
    const d = smbShare.diff(diffReq(config, null, snapshotWith(INCLUDED)));
    expect(d.issues).toEqual([]);
    expect(d.operations!.map((o) => o.op)).toEqual(["smb-stage", "testparm", "smb-commit", "reload"]);
    expect(d.operations![0]).toEqual({ op: "smb-stage", file: "/etc/samba/pmxform.d/media.conf", body: "[media]\n\tpath = /tank/media\n\tread only = no\n" });
  });

  it("leaves the body to apply when the path is only known then", () => {
    const d = smbShare.diff(diffReq({ ...config, path: new Unknown("string") }, null, snapshotWith(INCLUDED)));
    expect(d.operations![0]!["body"]).toBeNull();
    expect(d.planned["path"]).toBeInstanceOf(Unknown);
  });

  it("is a no-op against what it wrote, an update for a changed value, a replace for a new name", () => {
    const created = smbShare.diff(diffReq(config, null, snapshotWith(INCLUDED))).planned;
    expect(smbShare.diff(diffReq(config, created, snapshotWith(INCLUDED))).action).toBe("no-op");
    expect(smbShare.diff(diffReq({ ...config, read_only: true }, created, snapshotWith(INCLUDED))).action).toBe("update");
    const renamed = smbShare.diff(diffReq({ ...config, name: "media2" }, created, snapshotWith(INCLUDED)));
    expect(renamed.action).toBe("replace");
    expect(renamed.reasons).toEqual([{ path: ["name"], reason: "forces replacement" }]);
    const foreign = smbShare.diff(diffReq(config, { ...created, owner: "L0" }, snapshotWith(INCLUDED)));
    expect(foreign.action).toBe("update");
    expect(foreign.notes?.[0]).toContain("owner L0");
  });

  it("keeps an unreadable node's share as recorded and calls a vanished file gone", () => {
    const prior = { node: "pve1", name: "media", file: "/etc/samba/pmxform.d/media.conf", path: "/x" };
    expect(smbShare.read({ address: "smb_share.x", prior, snapshot: { shares: new Map([["pve1", { error: "ssh: connect timed out" }]]) } })).toBe(prior);
    expect(smbShare.read({ address: "smb_share.x", prior, snapshot: snapshotWith(INCLUDED) })).toBeNull();
  });
});

describe("apply", () => {
  it("refuses operations it does not know, and none at all, before running anything", async () => {
    const ctx = { runnerFor: () => ({ run: () => Promise.reject(new Error("must not run")) }), signal: new AbortController().signal, lineage: "L1", log: () => undefined } as unknown as ApplyContext;
    await expect(smbShare.create({ address: "smb_share.x", config: { node: "pve1", name: "m", path: "/m" }, planned: {}, operations: [{ op: "smb-stage" }, { op: "chmod" }] }, ctx)).rejects.toThrow(
      'the plan holds an operation this version does not know ("chmod"); run pmxform plan again',
    );
    await expect(nfsShare.create({ address: "nfs_share.x", config: { node: "pve1", name: "m", path: "/m" }, planned: {} }, ctx)).rejects.toThrow("run pmxform plan again");
  });
});
