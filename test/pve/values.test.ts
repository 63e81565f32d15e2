import { describe, expect, it } from "vitest";
import { parsePropertyString, printBySorting, printPropertyString } from "../../src/pve/propstring.js";
import { FORMATS, type FormatName } from "../../src/pve/formats.js";
import { prng } from "../helpers/prng.js";
import { validateOption, validateOptionAll, lookupKey } from "../../src/pve/schema.js";
import { formatSize, parseDiskSize, parseResizeArg } from "../../src/pve/size.js";
import { normalizeTags } from "../../src/pve/tags.js";
import { decodeText, encodeText } from "../../src/pve/text.js";
import { parseAllocation, parseTemplateVolname, parseVolumeId, ostypeFromTemplateName } from "../../src/pve/volid.js";
import { checkNamedFormat } from "../../src/pve/check.js";

describe("property strings", () => {
  it("parses the default key, normalises booleans and prints in canonical order", () => {
    const p = parsePropertyString("mp", "local-lvm:8,backup=yes,mp=/data");
    expect(p.errors).toEqual([]);
    expect(p.value).toEqual({ volume: "local-lvm:8", backup: "1", mp: "/data" });
    expect(printPropertyString("mp", p.value)).toBe("local-lvm:8,mp=/data,backup=1");
    expect(printPropertyString("net", { type: "veth", ip: "dhcp", name: "eth0", bridge: "vmbr0" })).toBe("name=eth0,bridge=vmbr0,ip=dhcp,type=veth");
  });
  it("prints in the precomputed order exactly what sorting each value's keys prints (random values of every format, seeded)", () => {
    const seed = Number(process.env["PMXFORM_SEED"] ?? Date.now() % 1e9);
    const rand = prng(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const values = ["", "0", "1", "vmbr0", "local-lvm:8", "a=b", "x,y", "/data"];
    let printed = 0;
    for (let i = 0; i < 3000; i++) {
      const name = pick(Object.keys(FORMATS)) as FormatName;
      const keys = Object.keys(FORMATS[name]);
      const obj: Record<string, string | number | undefined> = {};
      // Random subsets in random insertion order, some undefined, some numbers, now and then a key the format lacks.
      for (let j = Math.floor(rand() * (keys.length + 2)); j > 0; j--) {
        const k = rand() < 0.05 ? pick(["foo", "zz", "a"]) : pick(keys);
        obj[k] = rand() < 0.15 ? undefined : rand() < 0.2 ? Math.floor(rand() * 100) : pick(values);
      }
      const fast = printPropertyString(name, obj);
      expect(fast, `seed ${seed}: ${name} ${JSON.stringify(obj)}`).toBe(printBySorting(name, obj));
      if (fast.length) printed++;
    }
    expect(printed).toBeGreaterThan(2000);
  });
  it("reports PVE's errors", () => {
    expect(parsePropertyString("net", "name=eth0,foo=1").errors).toEqual(["invalid key in comma-separated list property: foo"]);
    expect(parsePropertyString("net", "name=eth0,name=eth1").errors).toEqual(["duplicate key in comma-separated list property: name"]);
    expect(parsePropertyString("net", "bridge=vmbr0").subErrors).toEqual([["name", "property is missing and it is not optional"]]);
    expect(parsePropertyString("net", "name=eth0,tag=5000").subErrors).toEqual([["tag", "value must have a maximum value of 4094"]]);
  });
});

describe("schema validation", () => {
  it("checks scalars, enums, formats and indexed keys", () => {
    expect(validateOption("memory", "8")).toBe("value must have a minimum value of 16");
    expect(validateOption("memory", "abc")).toBe("type check ('integer') failed - got 'abc'");
    expect(validateOption("ostype", "windows")).toMatch(/^value 'windows' does not have a value in the enumeration 'debian, /);
    expect(validateOption("hostname", "bad_name")).toBe("invalid format - value does not look like a valid DNS name");
    expect(validateOption("net31", "name=eth0")).toBeUndefined();
    expect(lookupKey("net32")).toBeUndefined();
    expect(lookupKey("mp255")?.base).toBe("mp");
    for (const inherited of ["constructor", "toString", "__proto__", "hasOwnProperty"]) expect(lookupKey(inherited), inherited).toBeUndefined();
    expect(validateOptionAll("constructor", "1")).toEqual([["constructor", "property is not defined in schema and the schema does not allow additional properties"]]);
    expect(validateOptionAll("net0", "name=eth0,ip=10.0.0.1")).toEqual([
      ["net0", "invalid format - format error"],
      ["net0.ip", "invalid format - value does not look like a valid ipv4 network configuration"],
    ]);
    expect(validateOption("features", "nesting=1,keyctl=on")).toBeUndefined();
    expect(validateOption("entrypoint", "/bin/sh\n")).toBe("value does not match the regex pattern");
  });
  it("validates IP formats without node:net", () => {
    expect(checkNamedFormat("ipv6", "fe80::1")).toBeUndefined();
    expect(checkNamedFormat("ipv6", "2001:db8::ffff:10.0.0.1")).toBeUndefined();
    expect(checkNamedFormat("ipv6", "1:2:3:4:5:6:7:8:9")).toBeDefined();
    expect(checkNamedFormat("ipv4", "256.1.1.1")).toBeDefined();
    expect(checkNamedFormat("pve-ipv4-config", "192.168.1.5/24")).toBeUndefined();
  });
});

describe("sizes, tags, text, volids", () => {
  it("formats and parses sizes like Proxmox", () => {
    expect(formatSize(8 * 1024 ** 3)).toBe("8G");
    expect(formatSize(512 * 1024 ** 2)).toBe("512M");
    expect(formatSize(1536)).toBe("1536");
    expect(parseDiskSize("307M")).toBe(307 * 1024 ** 2);
    expect(parseDiskSize("1T")).toBe(1024 ** 4);
    expect(parseResizeArg("+2G")).toEqual({ relative: true, bytes: 2 * 1024 ** 3 });
    expect(parseResizeArg("1000")).toEqual({ relative: false, bytes: 1000 });
  });
  it("normalises tags and encodes descriptions", () => {
    expect(normalizeTags("Web,prod web;b")).toBe("b;prod;web");
    expect(encodeText("owner: é 100%\n")).toBe("owner%3A %C3%A9 100%25%0A");
    expect(decodeText("owner%3A %C3%A9 100%25%0A 50%")).toBe("owner: é 100%\n 50%");
  });
  it("parses volume ids", () => {
    expect(parseVolumeId("local-lvm:vm-100-disk-0")).toEqual({ storage: "local-lvm", volname: "vm-100-disk-0" });
    expect(parseAllocation("local-lvm:0.5")).toEqual({ storage: "local-lvm", gib: 0.5 });
    expect(parseAllocation("local-lvm:10G")).toBeUndefined();
    expect(parseTemplateVolname("vztmpl/nginx_1.29.tar")).toEqual({ file: "nginx_1.29.tar", ext: "tar" });
    expect(parseTemplateVolname("vztmpl/x.img")).toBeUndefined();
    expect(ostypeFromTemplateName("alpine-3.22-default_20250617_amd64.tar.xz")).toBe("alpine");
  });
});
