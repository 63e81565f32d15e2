// The YAML fast reader must be invisible: whenever it accepts a file, the front end's result
// (Body, ranges, diagnostics) equals the one from the yaml package. Corpus + seeded mutations,
// and the common shapes (examples, the benchmark config) must actually take the fast path.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { initHcl } from "../../src/config/hcl/parser.js";
import { fastYamlDocument } from "../../src/config/yaml/fast-yaml.js";
import { parseYamlFileSync, parseYamlFileWithPackage } from "../../src/config/yaml/parser.js";
import { prng } from "../helpers/prng.js";
import { mutateText } from "../helpers/mutate.js";
import { generateYaml } from "../../bench/lib/gen-config.mjs";

function sameAsPackage(src: string, label: string): boolean {
  if (!fastYamlDocument(src)) return false;
  expect(parseYamlFileSync("t.pmx.yaml", src), `${label}:\n${src}`).toStrictEqual(parseYamlFileWithPackage("t.pmx.yaml", src));
  return true;
}

const REGULAR = [
  "locals:\n  a: 1\n",
  "# header\n# more\nlocals:\n  a: 1\n  b: -2\n  c: 1.5\n  d: true\n  e: False\n  f: null\n  g: ~\n  h: x y z\n  i: 8G\n  j: 10.0.0.1\n  k: local:vztmpl/x.tar.zst\n  l: -0.5\n  m: yes\n",
  'locals:\n  a: "q"\n  b: \'it\'\'s\'\n  c: "esc \\" \\\\ \\n \\t \\/"\n  d: "${x}"\n  e: \'${y}-z\'\n  f: "# not a comment"\n',
  'locals:\n  a: 1 # trailing\n  b: "x"   # trailing\n  c: [1, 2]  # trailing\n',
  'locals:\n  a: [1, "2", x, {b: c}, [d]]\n  e: {f: 1, "g": \'h\', i: [j, k],}\n  l: []\n  m: {}\n',
  "locals:\n  a: |\n    line one\n    line two\n\n    after blank\n      indented\n  b: |-\n    stripped\n  c: 1\n",
  "locals:\n  a: |\n    only\n\n\nvariables:\n  v: {}\n",
  'variables:\n  sites:\n    type: "map(object({ cores = number }))"\n    default:\n      a: { cores: 1 }\n    validation:\n      - condition: ${length(var.sites) > 0}\n        error_message: Give at least one site.\n',
  "variables:\n  x:\n    validation:\n    - condition: ${true}\n      error_message: same-indent list\n    default: 1\n",
  'resources:\n  lxc_container.web:\n    node: pve1\n    tags: [web, prod]\n    depends_on: [lxc_container.db]\n    network:\n      eth0: { bridge: "${var.bridge}", ip: dhcp }\n    mount:\n      media: { host_path: /tank/media, path: /media, read_only: true }\n',
  'resources:\n  lxc_container:\n    web:\n      node: pve1\n\n    db:\n      node: pve2\n\n\noutputs:\n  o: { value: "${lxc_container.web.vmid}" }\n',
  "locals:\n  list:\n    - a\n    - 1\n    - [x]\n    - {k: v}\n    - k: v\n      l: w\n    - |\n      text\n",
  "locals:\n  a: 1",
  "unknown_section:\n  a: 1\nlocals:\n  a: 1\n",
  "resources:\n  bad_key:\n    - 1\n",
  // Names of Object.prototype's members are plain strings, not what a lookup table inherits.
  "locals:\n  a: toString\n  b: constructor\n  c: [hasOwnProperty, __proto__]\n  d: {valueOf: isPrototypeOf}\n",
];

const IRREGULAR = [
  "locals:\n  a: 1\n  # inner comment\n  b: 2\n",
  "locals:\n  a: &x 1\n  b: *x\n",
  "locals:\n  a: !!str 1\n",
  "locals:\n  a: >\n    folded\n",
  "locals:\n  a: |+\n    keep\n\n",
  "locals:\n  a: 1\n  a: 2\n",
  "locals:\n  a: plain\n    continued\n",
  'locals:\n  a: "multi\n    line"\n',
  "locals:\n  a: [1,\n    2]\n",
  "locals:\n\ta: 1\n",
  "locals:\r\n  a: 1\r\n",
  "---\nlocals:\n  a: 1\n",
  "locals:\n  a:\n",
  "locals:\n  ? a\n  : 1\n",
  "locals:\n  a: 1e3\n  b: 0x10\n  c: .inf\n",
  "locals:\n  a b: 1\n",
  "- 1\n- 2\n",
  "",
];

const PIECES = [": ", ":", "- ", "-", "\n", "  ", " ", "#", "{", "}", "[", "]", ",", '"', "'", "|", "|-", ">", "&a", "*a", "!", "?", "~", "1", "x", "${", "}", "\t"];

const mutate = (src: string, random: () => number): string => mutateText(src, random, PIECES, 25);

describe("YAML fast reader equals the yaml package", () => {
  beforeAll(initHcl);

  it("takes and agrees on regular YAML, and steps aside for the rest", () => {
    for (const src of REGULAR) expect(sameAsPackage(src, "regular"), src).toBe(true);
    for (const src of IRREGULAR) expect(sameAsPackage(src, "irregular"), src).toBe(false);
  });

  it("takes the examples and the generated benchmark config", () => {
    for (const f of ["test/fixtures/config/basic/yaml/main.pmx.yaml", "test/fixtures/config/basic/yaml/fleet.pmx.yaml"]) expect(sameAsPackage(readFileSync(f, "utf8"), f), f).toBe(true);
    expect(sameAsPackage(generateYaml(30), "generated")).toBe(true);
  });

  it("agrees on 3,000 seeded mutations", () => {
    const random = prng(777);
    const seeds = [...REGULAR, readFileSync("test/fixtures/config/basic/yaml/main.pmx.yaml", "utf8"), readFileSync("test/fixtures/config/basic/yaml/fleet.pmx.yaml", "utf8"), generateYaml(3)];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[Math.floor(random() * seeds.length)] as string;
      if (sameAsPackage(mutate(seed, random), `mutation ${i}`)) accepted++;
    }
    expect(accepted).toBeGreaterThan(300);
  });
});
