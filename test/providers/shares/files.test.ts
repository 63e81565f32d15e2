// The share files as pure text: what pmxform writes for any combination of options reads back as
// the same attributes (seeded random combinations), hand-written files import with Samba's
// synonyms and exports(5)'s syntax, unknown lines are kept as unmanaged, the refresh dump groups
// back into files, and client/network specs are checked as inet_pton and exports(5) would.
import { describe, expect, it } from "vitest";
import { canonSmbAttrs, parseSmbFile, smbBody, smbFileText } from "../../../providers/shares/smb-file.js";
import { canonClient, nfsBody, nfsFileText, parseNfsFile } from "../../../providers/shares/nfs-file.js";
import { cidrProblem, nfsClientProblem } from "../../../providers/shares/net.js";
import { includesIndex, indexIncludes, parseSharesDump } from "../../../providers/shares/snapshot.js";
import { randomSmbConfig, randomClients, rng } from "./random-shares.js";

describe("smb share files", () => {
  it("round-trips 300 random option sets: written text parses to the canonical attributes", () => {
    const r = rng(18);
    for (let i = 0; i < 300; i++) {
      const config = randomSmbConfig(r);
      const text = smbFileText(String(config["name"]), "lineage-1", smbBody(String(config["name"]), canonSmbAttrs(config)));
      const parsed = parseSmbFile(text);
      expect(parsed.unmanaged, text).toEqual([]);
      expect(parsed.owner).toBe("lineage-1");
      expect(parsed.name).toBe(config["name"]);
      expect(parsed.attrs).toEqual(canonSmbAttrs(config));
    }
  });

  it("reads a hand-written share with Samba's synonyms and spacing, keeping what it does not manage", () => {
    const p = parseSmbFile("; mine\n[Media]\n  PATH=/srv/media\n  writeable = yes\n  public = True\n  browsable = 0\n  create mode = 644\n  vfs objects = fruit\n  read only = perhaps\n");
    expect(p.name).toBe("Media");
    expect(p.owner).toBeUndefined();
    expect(p.attrs).toMatchObject({ path: "/srv/media", read_only: false, guest_ok: true, browseable: false, create_mask: "0644" });
    expect(p.unmanaged).toEqual(["vfs objects = fruit", "read only = perhaps"]);
  });
});

describe("nfs export files", () => {
  it("round-trips 300 random client sets", () => {
    const r = rng(1818);
    for (let i = 0; i < 300; i++) {
      const clients = randomClients(r);
      const text = nfsFileText("backups", "L", nfsBody("/tank/backups", clients));
      const parsed = parseNfsFile(text);
      expect(parsed.unmanaged, text).toEqual([]);
      expect(parsed.path).toBe("/tank/backups");
      expect(parsed.clients).toEqual(Object.fromEntries(Object.entries(clients).map(([k, v]) => [k, canonClient(v)])));
    }
  });

  it("reads exports(5) syntax: continuations, comments, bare options, unknown options as unmanaged", () => {
    const p = parseNfsFile("# lan exports\n/srv/x \\\n  10.0.0.0/8(rw,no_root_squash,crossmnt) \\\n  (ro) # lan\n/srv/y host(rw)\n");
    expect(p.path).toBe("/srv/x");
    expect(p.clients["10.0.0.0/8"]).toMatchObject({ read_only: false, root_squash: false, sync: true });
    expect(p.clients["*"]).toMatchObject({ read_only: true });
    expect(p.unmanaged).toEqual(["10.0.0.0/8: crossmnt", "/srv/y host(rw)"]);
  });
});

describe("client and network specs", () => {
  it("accepts networks and addresses, refuses host bits, long prefixes and non-addresses", () => {
    for (const ok of ["192.168.1.0/24", "10.0.0.0/8", "10.1.2.3", "0.0.0.0/0", "fd00::/8", "2001:db8::1", "::ffff:10.0.0.1"]) expect(cidrProblem(ok), ok).toBeUndefined();
    expect(cidrProblem("192.168.1.1/24")).toContain("the network is 192.168.1.0/24");
    expect(cidrProblem("10.0.0.0/33")).toContain("larger than 32");
    expect(cidrProblem("300.1.1.1")).toContain("not an IP address");
    expect(cidrProblem("example.com")).toContain("not an IP address");
    expect(cidrProblem("01.2.3.4")).toBeDefined();
  });

  it("NFS clients may also be host names with wildcards, @netgroups or *", () => {
    for (const ok of ["*", "nas.lan", "*.lan", "@trusted", "192.168.0.0/16", "host-1"]) expect(nfsClientProblem(ok), ok).toBeUndefined();
    for (const bad of ["a b", "host(rw)", "10.0.0.1/40", "1.2.3", "@"]) expect(nfsClientProblem(bad), bad).toBeDefined();
  });
});

describe("the refresh dump", () => {
  it("groups grep -H lines back into files and finds the include line", () => {
    const dump = [
      "/etc/samba/smb.conf:[global]",
      "/etc/samba/smb.conf:   Include=/etc/samba/pmxform.conf  ",
      "/etc/samba/pmxform.conf:include = /etc/samba/pmxform.d/a.conf",
      "/etc/samba/pmxform.d/a.conf:[a]",
      "/etc/samba/pmxform.d/a.conf:path = /x:y",
      "/etc/exports.d/pmxform-b.exports:/b *(ro)",
      "/etc/exports.d/other.exports:",
      "",
    ].join("\n");
    const s = parseSharesDump(dump);
    expect(includesIndex(s.smbConf!)).toBe(true);
    expect(indexIncludes(s.index)).toEqual(["/etc/samba/pmxform.d/a.conf"]);
    expect(s.smb.get("a.conf")).toBe("[a]\npath = /x:y\n");
    expect([...s.nfs.keys()]).toEqual(["pmxform-b.exports", "other.exports"]);
    expect(includesIndex("[global]\n# include = /etc/samba/pmxform.conf\n")).toBe(false);
  });
});

describe("docs/storage.md", () => {
  it("lists every smb_share argument with the parameter and type of the field table", async () => {
    const { readFileSync } = await import("node:fs");
    const { SMB_FIELDS, NFS_CLIENT_FIELDS } = await import("../../../providers/shares/fields.js");
    const doc = readFileSync(new URL("../../../docs/storage.md", import.meta.url), "utf8");
    for (const f of SMB_FIELDS) {
      const type = f.type === "mask" ? "string" : f.type;
      expect(doc, f.attr).toContain(`| \`${f.attr}\` | ${f.key} | ${type} |`);
    }
    for (const f of NFS_CLIENT_FIELDS) expect(doc, f.attr).toMatch(new RegExp(`\\| \`${f.attr}\`[^\\n]*\\|`));
  });
});
