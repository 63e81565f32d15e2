// Every standard-library function: a happy path and an error path, through the real parser and
// evaluator, plus the call machinery (argument count, types, null, did-you-mean).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { standardFunctions } from "../../src/config/functions/index.js";
import { err, slice, val } from "./eval-helpers.js";

const ok: [string, unknown][] = [
  // collection
  ['length("héllo")', 5],
  ["length({a = 1, b = 2})", 2],
  ['length("👍🏽e\u0301")', 2],
  ["keys({b = 1, a = 2})", ["a", "b"]],
  ["values({b = 1, a = 2})", [2, 1]],
  ['lookup({a = 1}, "a")', 1],
  ['lookup({a = 1}, "b", "dflt")', "dflt"],
  ["merge({a = 1, b = 1}, null, {b = 2})", { a: 1, b: 2 }],
  ["concat([1], [], [2, 3])", [1, 2, 3]],
  ["flatten([[1, [2]], [], 3])", [1, 2, 3]],
  ["distinct([1, 2, 1, 3, 2])", [1, 2, 3]],
  ['contains(["a", "b"], "b")', true],
  ["contains([[1]], [1])", true],
  ['index(["a", "b"], "b")', 1],
  ["element([1, 2, 3], 4)", 2],
  ["range(3)", [0, 1, 2]],
  ["range(1, 4)", [1, 2, 3]],
  ["range(10, 0, -3)", [10, 7, 4, 1]],
  ["range(3, 0)", [3, 2, 1]],
  ["reverse([1, 2, 3])", [3, 2, 1]],
  ["slice([1, 2, 3, 4], 1, 3)", [2, 3]],
  ['sort(["b", "a", "10", "9"])', ["10", "9", "a", "b"]],
  ["sum([1, 2.5, 3])", 6.5],
  ['zipmap(["a", "b"], [1, 2])', { a: 1, b: 2 }],
  [
    'setproduct(["a", "b"], [1, 2])',
    [
      ["a", 1],
      ["a", 2],
      ["b", 1],
      ["b", 2],
    ],
  ],
  ["one([])", null],
  ['one(["x"])', "x"],
  ["alltrue([true, true])", true],
  ["alltrue([])", true],
  ["anytrue([false, true])", true],
  ['coalesce(null, "", "x")', "x"],
  ["coalescelist([], [1])", [1]],
  ['compact(["a", "", null, "b"])', ["a", "b"]],
  ["chunklist([1, 2, 3], 2)", [[1, 2], [3]]],
  // string
  ['join("-", ["a", "b"], ["c"])', "a-b-c"],
  ['join(",", [1, true])', "1,true"],
  ['split(",", "a,b,,c")', ["a", "b", "", "c"]],
  ['split(",", "")', [""]],
  ['lower("AbC")', "abc"],
  ['upper("AbC")', "ABC"],
  ['title("hello wORLD-foo bar_baz")', "Hello WORLD-Foo Bar_baz"],
  ['title("don\'t")', "Don'T"],
  ['replace("a-b-c", "-", "+")', "a+b+c"],
  ['replace("web01", "/(\\\\w+?)(\\\\d+)/", "$2-$1")', "01-web"],
  ['replace("k=v", "/(?P<key>\\\\w)=(?P<val>\\\\w)/", "$${val}=$${key}")', "v=k"],
  ['trimspace("  x \\n")', "x"],
  ['trim("?!hello?!", "!?")', "hello"],
  ['trimprefix("helloworld", "hello")', "world"],
  ['trimprefix("x", "hello")', "x"],
  ['trimsuffix("helloworld", "world")', "hello"],
  ['substr("hello world", 1, 4)', "ello"],
  ['substr("hello", -3, -1)', "llo"],
  ['substr("🙂ab", 0, 2)', "🙂a"],
  ['startswith("hello", "he")', true],
  ['endswith("hello", "lo")', true],
  ['strrev("abc")', "cba"],
  ['chomp("x\\n\\n")', "x"],
  ['indent(2, "a\\nb")', "a\n  b"],
  ['regex("[a-z]+", "123abc456")', "abc"],
  ['regex("(\\\\d+)-(\\\\d+)", "10-20")', ["10", "20"]],
  ['regex("(?P<major>\\\\d+)\\\\.(?P<minor>\\\\d+)", "v1.29")', { major: "1", minor: "29" }],
  ['regex("(?i)WEB", "my-web")', "web"],
  ['regexall("\\\\d", "a1b2")', ["1", "2"]],
  ['regexall("x", "abc")', []],
  // format
  ['format("%s-%03d", "web", 7)', "web-007"],
  ['format("%.2f|%5s|%-5s|", 3.14159, "ab", "cd")', "3.14|   ab|cd   |"],
  ['format("%v %v %v %v", "s", 1.5, true, null)', "s 1.5 true null"],
  ['format("%v", {b = 1, a = [1]})', '{"a":[1],"b":1}'],
  ['format("%q %%", "x\\"y")', '"x\\"y" %'],
  ['format("%x %X %o %b %+d", 255, 255, 8, 5, 3)', "ff FF 10 101 +3"],
  ['format("%[2]s %[1]s", "a", "b")', "b a"],
  ['format("%e", 1500)', "1.500000e+03"],
  ['format("%t", false)', "false"],
  ['formatlist("%s=%d", ["a", "b"], [1, 2])', ["a=1", "b=2"]],
  ['formatlist("%s-x", ["a", "b"])', ["a-x", "b-x"]],
  // numeric
  ["min(3, 1, 2)", 1],
  ["max(3, 1, 2)", 3],
  ["abs(-2.5)", 2.5],
  ["ceil(1.2)", 2],
  ["floor(-1.2)", -2],
  ["pow(2, 10)", 1024],
  ["signum(-4)", -1],
  ["log(8, 2)", 3],
  ['parseint("ff", 16)', 255],
  ['parseint("-101", 2)', -5],
  // encoding
  ['jsonencode({b = [1, "<x>"], a = null})', '{"a":null,"b":[1,"\\u003cx\\u003e"]}'],
  ['jsondecode("{\\"a\\": [1, true, null]}")', { a: [1, true, null] }],
  ['yamlencode({b = 1, a = ["x"]})', "a:\n  - x\nb: 1\n"],
  ['yamldecode("a: [1, two]")', { a: [1, "two"] }],
  ['base64encode("héllo")', "aMOpbGxv"],
  ['base64decode("aMOpbGxv")', "héllo"],
  ['urlencode("a b&c")', "a+b%26c"],
  ['md5("hello")', "5d41402abc4b2a76b9719d911017c592"],
  ['sha1("hello")', "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"],
  ['sha256("hello")', "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"],
  ['base64sha256("hello")', "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="],
  ['sha512("")', "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"],
  ['base64sha512("")', "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="],
  // network
  ['cidrhost("10.12.112.0/20", 16)', "10.12.112.16"],
  ['cidrhost("10.12.112.0/20", 268)', "10.12.113.12"],
  ['cidrhost("10.0.0.0/24", -1)', "10.0.0.255"],
  ['cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)', "fd00:fd12:3456:7890::22"],
  ['cidrsubnet("172.16.0.0/12", 4, 2)', "172.18.0.0/16"],
  ['cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"],
  ['cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72"],
  ['cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)', ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]],
  ['cidrnetmask("172.16.0.0/12")', "255.240.0.0"],
  ['cidrhost("64:ff9b::/96", 1)', "64:ff9b::1"],
  ['cidrsubnet("2001:db8::/32", 16, 1)', "2001:db8:1::/48"],
  // conversion
  ["tostring(12)", "12"],
  ["tostring(true)", "true"],
  ["tostring(null)", null],
  ['tonumber("4.5")', 4.5],
  ['tobool("true")', true],
  ["tolist([1, 2])", [1, 2]],
  ['toset(["b", "a", "b"])', ["a", "b"]],
  ["tomap({a = 1})", { a: 1 }],
  // filesystem (pure path helpers)
  ['basename("/a/b/c.txt")', "c.txt"],
  ['dirname("/a/b/c.txt")', "/a/b"],
];

const bad: [string, string, string][] = [
  ["length(5)", "Invalid function argument", "a collection or string is required"],
  ["keys([1])", "Invalid function argument", "map or object"],
  ['lookup({a = 1}, "b")', "Error in function call", 'lookup failed to find key "b"'],
  ["merge({a = 1}, [1])", "Invalid function argument", '"maps" parameter'],
  ["concat([1], 2)", "Invalid function argument", '"seqs" parameter'],
  ['index(["a"], "z")', "Invalid function argument", "not found"],
  ["element([], 0)", "Invalid function argument", "empty list"],
  ["element([1], -1)", "Invalid function argument", "negative index"],
  ["range(0, 1, 0)", "Invalid function argument", "step must not be zero"],
  ["range(0, 5000)", "Error in function call", "more than 1024"],
  ["slice([1, 2], 1, 5)", "Invalid function argument", "end index"],
  ["sort([[1]])", "Invalid function argument", "string required"],
  ["sum([])", "Invalid function argument", "cannot sum an empty list"],
  ['zipmap(["a"], [])', "Error in function call", "does not match"],
  ["setproduct([1])", "Error in function call", "at least two"],
  ["one([1, 2])", "Invalid function argument", "zero or one elements"],
  ['alltrue(["x"])', "Invalid function argument", "bool is required"],
  ['coalesce(null, "")', "Error in function call", "no non-null, non-empty-string arguments"],
  ["coalescelist([], [])", "Error in function call", "no non-empty list"],
  ["chunklist([1], -1)", "Invalid function argument", "negative"],
  ['join("-")', "Error in function call", "at least one list"],
  ['join(",", [null])', "Error in function call", "null elements"],
  ["split()", "Not enough function arguments", 'Missing value for "separator"'],
  ["lower([1])", "Invalid function argument", "string required"],
  ["upper(null)", "Invalid function argument", "must not be null"],
  ['title("a", "b")', "Too many function arguments", "expects only 1 argument"],
  ['replace("a", "/(/", "x")', "Invalid function argument", "invalid regular expression"],
  ["trimspace({})", "Invalid function argument", "string required"],
  ['trim("a")', "Not enough function arguments", "cutset"],
  ['trimprefix("a", [1])', "Invalid function argument", "string required"],
  ['trimsuffix("a")', "Not enough function arguments", "suffix"],
  ['substr("abc", 0.5, 1)', "Invalid function argument", "whole number"],
  ["startswith(1)", "Not enough function arguments", "prefix"],
  ['endswith("a", {})', "Invalid function argument", "string required"],
  ["strrev([])", "Invalid function argument", "string required"],
  ["chomp(null)", "Invalid function argument", "must not be null"],
  ['indent(-1, "a")', "Invalid function argument", "between 0 and 1024"],
  ['regex("x", "abc")', "Error in function call", "did not match"],
  ['regexall("[", "abc")', "Invalid function argument", "invalid regular expression"],
  ['format("%d", 1.5)', "Error in function call", "fractional part"],
  ['format("%s %s", "a")', "Error in function call", "not enough arguments"],
  ['format("%s", "a", "b")', "Error in function call", "too many arguments"],
  ['format("%s", [1])', "Error in function call", "string required"],
  ['format("%y", 1)', "Invalid function argument", "unsupported format verb"],
  ['format("%", 1)', "Invalid function argument", "ends in the middle of a verb"],
  ['formatlist("%s%s", ["a"], ["b", "c"])', "Invalid function argument", "inconsistent"],
  ["min()", "Error in function call", "at least one number"],
  ['max("x")', "Invalid function argument", "a number is required"],
  ['abs("a")', "Invalid function argument", "a number is required"],
  ["ceil(true)", "Invalid function argument", "a number is required"],
  ["floor(null)", "Invalid function argument", "must not be null"],
  ["pow(10, 400)", "Error in function call", "too large"],
  ['signum("x")', "Invalid function argument", "a number is required"],
  ["log(0, 2)", "Invalid function argument", "greater than zero"],
  ['parseint("12", 1)', "Invalid function argument", "between 2 and 62"],
  ['parseint("zz", 10)', "Invalid function argument", "cannot parse"],
  ['jsondecode("{")', "Invalid function argument", "not valid JSON"],
  ['yamldecode("a: [")', "Invalid function argument", "not valid YAML"],
  ['yamldecode("a: 1\\n---\\nb: 2")', "Invalid function argument", "more than one"],
  ["yamlencode()", "Not enough function arguments", "value"],
  ["jsonencode()", "Not enough function arguments", "val"],
  ['base64decode("!!")', "Invalid function argument", "not valid Base64"],
  ['base64decode("/w==")', "Invalid function argument", "not valid UTF-8"],
  ["base64encode([])", "Invalid function argument", "string required"],
  ["urlencode({})", "Invalid function argument", "string required"],
  ["md5([])", "Invalid function argument", "string required"],
  ["sha1()", "Not enough function arguments", "str"],
  ["sha256(null)", "Invalid function argument", "must not be null"],
  ["sha512({})", "Invalid function argument", "string required"],
  ['cidrhost("10.0.0.0/30", 4)', "Invalid function argument", "cannot accommodate a host numbered 4"],
  ['cidrhost("10.0.0/8", 1)', "Invalid function argument", "invalid CIDR address"],
  ['cidrsubnet("10.0.0.0/30", 4, 0)', "Invalid function argument", "insufficient address space"],
  ['cidrsubnet("10.0.0.0/16", 4, 16)', "Invalid function argument", "does not accommodate a subnet numbered 16"],
  ['cidrsubnets("10.0.0.0/30", 1, 1, 1)', "Invalid function argument", "not enough remaining address space"],
  ['cidrnetmask("fd00::/8")', "Invalid function argument", "IPv6"],
  ["tostring([1])", "Invalid function argument", "cannot convert tuple to string"],
  ['tonumber("abc")', "Invalid function argument", "a number is required"],
  ['tobool("yes")', "Invalid function argument", "true or false"],
  ["tolist(1)", "Invalid function argument", "cannot convert number to list"],
  ['toset("a")', "Invalid function argument", "cannot convert string to set"],
  ["tomap([1])", "Invalid function argument", "cannot convert tuple to map"],
  ['file("does-not-exist.txt")', "Invalid function argument", "no file exists"],
  ['filebase64("nope.bin")', "Invalid function argument", "no file exists"],
  ['templatefile("nope.tpl", {})', "Invalid function argument", "no file exists"],
  ["fileexists([])", "Invalid function argument", "string required"],
  ["basename()", "Not enough function arguments", "path"],
  ["dirname({})", "Invalid function argument", "string required"],
  ["distinct(1)", "Invalid function argument", "a list, set or tuple is required"],
  ["contains(1, 1)", "Invalid function argument", "a list, set or tuple is required"],
  ["reverse({})", "Invalid function argument", "a list, set or tuple is required"],
  ["values(1)", "Invalid function argument", "map or object"],
  ["flatten(1)", "Invalid function argument", "a list, set or tuple is required"],
  ["anytrue([1])", "Invalid function argument", "bool is required"],
  ['compact("x")', "Invalid function argument", "list of string required"],
  ["base64sha256([])", "Invalid function argument", "string required"],
  ["base64sha512([])", "Invalid function argument", "string required"],
];

describe("standard functions: happy paths", () => {
  it.each(ok)("%s", async (src, expected) => {
    expect(await val(src)).toEqual(expected);
  });
});

describe("standard functions: error paths", () => {
  it.each(bad)("%s -> %s", async (src, summary, detail) => {
    const d = await err(src);
    expect(d.summary).toBe(summary);
    expect(d.detail).toContain(detail);
  });

  it("covers every function of the registry with both kinds of test", () => {
    const names = [...standardFunctions({ baseDir: "." }).keys()];
    const called = (srcs: string[]) => new Set(srcs.flatMap((s) => [...s.matchAll(/([a-z0-9]+)\(/g)].map((m) => m[1])));
    const okNames = called(ok.map(([s]) => s));
    const badNames = called(bad.map(([s]) => s));
    const untested = names.filter((n) => !["file", "fileexists", "filebase64", "templatefile"].includes(n) && (!okNames.has(n) || !badNames.has(n)));
    expect(untested).toEqual([]);
  });
});

describe("function call diagnostics", () => {
  it("point at the offending argument and name function and parameter", async () => {
    const src = 'substr("abc", "x", 1)';
    const d = await err(src);
    expect(d.detail).toContain('"offset" parameter of function "substr"');
    expect(slice(src, d.subject)).toBe('"x"');
  });

  it("point at the first extra argument", async () => {
    const src = 'upper("a", "b")';
    expect(slice(src, (await err(src)).subject)).toBe('"b"');
  });

  it("convert arguments like Terraform (numbers to strings, strings to numbers)", async () => {
    expect(await val("upper(12)")).toBe("12");
    expect(await val('abs("-3")')).toBe(3);
  });
});

describe("filesystem functions", () => {
  const dir = mkdtempSync(join(tmpdir(), "pmx-fn-"));
  writeFileSync(join(dir, "motd.txt"), "hello\n");
  writeFileSync(join(dir, "bin.dat"), Buffer.from([0xff, 0x00]));
  writeFileSync(join(dir, "hosts.tpl"), "%{ for h in hosts ~}\n${h} ${upper(domain)}\n%{ endfor ~}\n");
  writeFileSync(join(dir, "bad.tpl"), "${nope}");
  writeFileSync(join(dir, "broken.tpl"), "${");
  writeFileSync(join(dir, "self.tpl"), '${templatefile("self.tpl", {})}');
  const scope = { baseDir: dir };

  it("file reads UTF-8 relative to the base directory", async () => {
    expect(await val('file("motd.txt")', scope)).toBe("hello\n");
    expect((await err('file("bin.dat")', scope)).detail).toContain("filebase64");
    expect(await val('filebase64("bin.dat")', scope)).toBe("/wA=");
    expect(await val('fileexists("motd.txt")', scope)).toBe(true);
    expect(await val('fileexists("nope")', scope)).toBe(false);
    expect((await err('file(".")', scope)).detail).toContain("is a directory");
  });

  it("templatefile renders with variables and functions", async () => {
    expect(await val('templatefile("hosts.tpl", { hosts = ["a", "b"], domain = "lan" })', scope)).toBe("a LAN\nb LAN\n");
  });

  it("templatefile reports the template's own errors at their place in the template", async () => {
    const d = await err('templatefile("bad.tpl", {})', scope);
    expect(d.summary).toBe("Invalid reference");
    expect(d.subject?.file).toBe(join(dir, "bad.tpl"));
    expect((await ev2('templatefile("broken.tpl", {})', scope)).some((x) => x.subject?.file === join(dir, "broken.tpl"))).toBe(true);
    expect((await err('templatefile("self.tpl", {})', scope)).summary).toBe("Call to unknown function");
    expect((await err('templatefile("motd.txt", [1])', scope)).detail).toContain("map or object");
  });
});

async function ev2(src: string, scope: { baseDir: string }) {
  const { ev } = await import("./eval-helpers.js");
  return (await ev(src, scope)).diagnostics;
}
