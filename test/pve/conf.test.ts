import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { confDigest, parseConf, writeConf, type ParsedConf } from "../../src/pve/conf.js";
import { fixturesDir, hasFixtures } from "./shared.js";

function plain(c: ParsedConf): unknown {
  const sec = (s: ParsedConf["main"]) => ({ ...s, keys: [...s.keys.entries()].sort() });
  return { main: sec(c.main), pending: c.pending && sec(c.pending), snapshots: [...c.snapshots].map(([n, s]) => [n, sec(s)]) };
}

describe.skipIf(!hasFixtures)(`conf round trip over fixtures (needs ${fixturesDir})`, () => {
  const files = hasFixtures ? readdirSync(fixturesDir).filter((f) => f.endsWith(".conf")) : [];
  it("has fixtures", () => expect(files.length).toBeGreaterThan(30));
  for (const f of files) {
    it(`${f}: parse -> write -> parse is stable and rewrite is byte-identical`, () => {
      const text = readFileSync(join(fixturesDir, f), "utf8");
      const first = parseConf(text);
      const written = writeConf(first);
      const second = parseConf(written);
      expect(plain(second)).toEqual(plain(first));
      expect(writeConf(second)).toBe(written);
    });
  }
});

describe("conf reader and writer rules", () => {
  const sample = [
    "#web frontend",
    "#owner%3A team-a",
    "net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5E:2A:10,ip=dhcp,type=veth",
    "mp10: local-lvm:vm-101-disk-2,mp=/b,size=1G",
    "mp2: local-lvm:vm-101-disk-1,mp=/a,size=1G",
    "memory: 1024",
    "onboot: yes",
    "lxc.environment.runtime: A=1",
    "lxc.cgroup2.devices.allow = c 226:128 rwm",
    "lxc.environment.runtime: B=2",
    "garbage line here",
    "bogus: 1",
    "",
    "[pve:pending]",
    "memory: 2048",
    "delete: swap,!cpulimit",
    "",
    "[zeta]",
    "memory: 512",
    "snaptime: 1735689600",
    "[alpha]",
    "#snap note",
    "memory: 256",
  ].join("\r\n");
  const c = parseConf(sample, "101");

  it("decodes description lines with a trailing newline each, keeping a CRLF file's CR as Config.pm parse_pct_config does", () => {
    expect(c.main.description).toBe("web frontend\r\nowner: team-a\r\n");
    expect(c.snapshots.get("alpha")?.description).toBe("snap note\r\n");
    expect(parseConf(sample.replaceAll("\r\n", "\n"), "101").main.description).toBe("web frontend\nowner: team-a\n");
  });
  it("normalises booleans, keeps unknown keys, warns about garbage", () => {
    expect(c.main.keys.get("onboot")).toBe("1");
    expect(c.main.keys.get("bogus")).toBe("1");
    expect(c.warnings).toContain("vm 101 - unable to parse value of 'bogus' - unknown setting 'bogus'");
    expect(c.warnings).toContain("vm 101 - unable to parse config: garbage line here");
  });
  it("splits env from raw lxc lines and keeps lxc order", () => {
    expect(c.main.env).toEqual(["A=1", "B=2"]);
    expect(c.main.lxc).toEqual([["lxc.cgroup2.devices.allow", "c 226:128 rwm"]]);
  });
  it("reads pending deletions", () => {
    expect(c.pending?.delete).toEqual(["swap", "!cpulimit"]);
  });
  it("writes the pct layout: sorted keys in byte order, env, lxc, pending, sorted snapshots", () => {
    const out = writeConf(c);
    expect(out).toBe(
      [
        // the CR a CRLF file left in the description is written back encoded (ParseUtils encode_text)
        "#web frontend%0D",
        "#owner%3A team-a%0D",
        "bogus: 1",
        "memory: 1024",
        "mp10: local-lvm:vm-101-disk-2,mp=/b,size=1G",
        "mp2: local-lvm:vm-101-disk-1,mp=/a,size=1G",
        "net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5E:2A:10,ip=dhcp,type=veth",
        "onboot: 1",
        "lxc.environment.runtime: A=1",
        "lxc.environment.runtime: B=2",
        "lxc.cgroup2.devices.allow: c 226:128 rwm",
        "",
        "[pve:pending]",
        "delete: swap,!cpulimit",
        "memory: 2048",
        "",
        "[alpha]",
        "#snap note%0D",
        "memory: 256",
        "",
        "[zeta]",
        "memory: 512",
        "snaptime: 1735689600",
        "",
      ].join("\n"),
    );
  });
  it("digest is the SHA-1 of the raw text", () => {
    expect(confDigest("abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });
  it("warns about delete outside pending and rejected lxc keys", () => {
    const w = parseConf("delete: swap\nlxc.rootfs.path: /x\nlxc.foo.bar: 1\n", "7").warnings;
    expect(w).toEqual([
      "vm 7 - property 'delete' is only allowed in [pve:pending]",
      "vm 7 - lxc.rootfs.path: lxc.rootfs.path is auto generated from rootfs",
      "vm 7 - unable to parse config: lxc.foo.bar: 1",
    ]);
  });
});
