// RangeIndex answers from the parsed body on demand: a schema error's path points at the
// attribute, the labelled block's name, or the longest prefix the body knows.
import { describe, expect, it } from "vitest";
import { RangeIndex } from "../../src/config/body-value.js";
import { parseHclFileSync } from "../../src/config/hcl/parser.js";

const SRC = `cores = 2
tags = ["a", "b"]
rootfs {
  size = "8G"
}
network "eth0" {
  ip = "dhcp"
}
network "eth1" {
  gw = "10.0.0.1"
}
`;

function index(): RangeIndex {
  const { file } = parseHclFileSync("r.pmx.hcl", SRC);
  const whole = file.body.range;
  return new RangeIndex(whole, file.body);
}

const at = (r: { start: { line: number; column: number } }): string => `${r.start.line}:${r.start.column}`;

describe("RangeIndex", () => {
  it("finds attributes, blocks and labels by path", () => {
    const ix = index();
    expect(at(ix.find(["cores"]))).toBe("1:9");
    expect(at(ix.find(["rootfs", "size"]))).toBe("4:10");
    expect(at(ix.find(["network", "eth0", "ip"]))).toBe("7:8");
    expect(at(ix.find(["network", "eth1", "gw"]))).toBe("10:8");
  });

  it("falls back to the longest known prefix, then to the whole block", () => {
    const ix = index();
    expect(at(ix.find(["tags", 1]))).toBe("2:8");
    expect(at(ix.find(["rootfs", "storage"]))).toBe("3:1");
    expect(at(ix.find(["network", "eth1", "bridge"]))).toBe("9:9");
    // An unknown label: the type keyword of the last block of that type.
    expect(at(ix.find(["network", "eth9"]))).toBe("9:1");
    expect(ix.find(["hostname"])).toEqual(ix.whole);
    expect(ix.find([])).toEqual(ix.whole);
    expect(new RangeIndex(ix.whole).find(["cores"])).toEqual(ix.whole);
  });
});
