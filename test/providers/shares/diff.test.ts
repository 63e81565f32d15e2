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

describe("import and identity", () => {
  const dump = [
    "/etc/samba/smb.conf:include = /etc/samba/pmxform.conf",
    "/etc/samba/pmxform.conf:include = /etc/samba/pmxform.d/media.conf",
    "/etc/samba/pmxform.d/media.conf:# pmxform smb_share Media; owner L0. Managed by pmxform: edits are undone by the next apply.",
    "/etc/samba/pmxform.d/media.conf:[Media]",
    "/etc/samba/pmxform.d/media.conf:\tpath = /tank/media",
    "/etc/samba/pmxform.d/hand.conf:[hand]",
    "/etc/samba/pmxform.d/hand.conf:\tpath = /srv/hand",
    "/etc/samba/pmxform.d/.media.conf.new:# pmxform smb_share Media; owner L0. Managed by pmxform: edits are undone by the next apply.",
    "/etc/exports.d/pmxform-b.exports:# pmxform nfs_share b; owner L0. Managed by pmxform: edits are undone by the next apply.",
    "/etc/exports.d/pmxform-b.exports:/b *(ro,sync)",
    "/etc/exports.d/theirs.exports:/t *(ro)",
  ].join("\n");

  it("import --all offers only files with pmxform's header (not hand-written ones, not staged dot files)", () => {
    const snap = snapshotWith(dump);
    expect(smbShare.importable!(snap).map((c) => c.id)).toEqual(["pve1/Media"]);
    expect(nfsShare.importable!(snap).map((c) => c.id)).toEqual(["pve1/b"]);
    // A hand-written file in pmxform's directory is still importable one by one.
    expect(smbShare.import!({ address: "smb_share.h", id: "pve1/hand", snapshot: snap })).toMatchObject({
      name: "hand",
      path: "/srv/hand",
      unmanaged: ["(/etc/samba/pmxform.conf does not include this file)"],
    });
    expect(smbShare.explainImportMiss!("pve1/nope", snap)).toContain("has no /etc/samba/pmxform.d/nope.conf");
  });

  it("warns when importing another state's file and refuses an entry whose file another state took over", () => {
    const attrs = smbShare.import!({ address: "smb_share.m", id: "pve1/media", snapshot: snapshotWith(dump) })!;
    expect(attrs["owner"]).toBe("L0");
    expect(smbShare.foreignOwner!({ address: "smb_share.m", attrs, lineage: "L1" })).toContain("another pmxform state (owner L0)");
    expect(smbShare.foreignOwner!({ address: "smb_share.m", attrs, lineage: "L0" })).toBeUndefined();
    expect(smbShare.identityConflict!({ address: "smb_share.m", recorded: { ...attrs, owner: "L1" }, live: attrs })).toContain("now carries another pmxform state's marker");
    expect(smbShare.objectKey!(attrs)).toBe("pve1:/etc/samba/pmxform.d/media.conf");
  });
});

describe("a file already at the share's place", () => {
  const file = (owner: string) =>
    `/etc/samba/pmxform.d/media.conf:# pmxform smb_share media; owner ${owner}. Managed by pmxform: edits are undone by the next apply.\n/etc/samba/pmxform.d/media.conf:[media]\n`;
  const config = { node: "pve1", name: "media", path: "/tank/media" };

  it("is this state's leftover of an interrupted apply: written again, with a note", () => {
    const d = smbShare.diff(diffReq(config, null, snapshotWith(INCLUDED + file("L1"))));
    expect(d.issues).toEqual([]);
    expect(d.notes?.[0]).toContain("interrupted apply of this state");
  });

  it("is someone else's: an error for a create and for a rename onto it, naming the import", () => {
    const snap = snapshotWith(INCLUDED + file("L0"));
    expect(smbShare.diff(diffReq(config, null, snap)).issues[0]?.detail).toContain("pmxform import smb_share.x pve1/media");
    const prior = { ...config, name: "old", file: "/etc/samba/pmxform.d/old.conf", owner: "L1", unmanaged: [] };
    const rename = smbShare.diff(diffReq(config, prior, snap));
    expect(rename.action).toBe("replace");
    expect(rename.issues[0]?.summary).toBe("Share already exists");
  });
});
