// Issue 23.12: every Object.prototype property name (`__proto__`, `constructor`, `toString`,
// `valueOf`, `hasOwnProperty`, ...) is ordinary user text in every position: map keys through
// functions and encoders, block labels, locals, variables, outputs, for_each keys and env keys.
// `__proto__` used to be dropped (assignment sets the prototype), `constructor` & co. used to be
// found on every object (a false "Duplicate block", YAML locals read as block types).
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";
import { putSimOciArchive } from "../helpers/sim-oci-archive.js";

const NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
const map = (f: (n: string) => string) => `{ ${NAMES.map((n) => `"${n}" = ${f(n)}`).join(", ")} }`;

function hcl(): string {
  let s = SIM_NODE;
  for (const n of NAMES) s += `variable "${n}" {\n  default = "v-${n}"\n}\n`;
  s += `locals {\n${NAMES.map((n) => `  ${n} = var.${n}\n`).join("")}  all = ${map((n) => `local.${n}`)}\n}\n`;
  s += `resource "lxc_container" "each" {\n  for_each = local.all\n  node     = "pve1"\n  template = "${TEMPLATE}"\n  description = each.value\n}\n`;
  // Proxmox has net0..net31: a dozen labelled interfaces fit one container.
  s += `resource "lxc_container" "nets" {\n  node     = "pve1"\n  template = "${TEMPLATE}"\n${NAMES.map((n) => `  network "${n}" {\n    bridge = "vmbr0"\n  }\n`).join("")}}\n`;
  s += `resource "oci_container" "app" {\n  node  = "pve1"\n  image = "local:vztmpl/app.tar"\n  env   = ${map((n) => `"e-${n}"`)}\n  rootfs {\n    storage = "local-lvm"\n    size    = "1G"\n  }\n}\n`;
  for (const [name, value] of [
    ["json", "jsonencode(local.all)"],
    ["yaml", "yamlencode(local.all)"],
    ["keys", "keys(local.all)"],
    ["merged", `merge(local.all, { extra = 1 })`],
    ["zipped", `zipmap(keys(local.all), values(local.all))`],
    ["forexpr", `{ for k, v in local.all : k => upper(v) }`],
    ["grouped", `{ for k, v in local.all : k => v... }`],
    ["tomapped", `tomap(local.all)`],
    ["decoded", `jsondecode(jsonencode(local.all))`],
    ["yamldecoded", `yamldecode(yamlencode(local.all))`],
    ["looked", `[for k in keys(local.all) : lookup(local.all, k, "missing")]`],
    ["ids", `{ for k, c in lxc_container.each : k => c.description }`],
  ]) {
    s += `output "${name}" {\n  value = ${value}\n}\n`;
  }
  for (const n of NAMES) s += `output "${n}" {\n  value = local.${n}\n}\n`;
  return s;
}

function yamlConfig(): string {
  let s = `proxmox:\n  nodes:\n    pve1: { sim: sim }\nvariables:\n${NAMES.map((n) => `  ${n}: { default: d-${n} }\n`).join("")}locals:\n${NAMES.map((n) => `  ${n}: l-${n}-\${var.${n}}\n`).join("")}`;
  s += `resources:\n  lxc_container.y:\n    for_each: \${ { ${NAMES.map((n) => `"${n}" = local.${n}`).join(", ")} } }\n    node: pve1\n    template: ${TEMPLATE}\n    description: \${each.value}\n`;
  s += `  lxc_container.ynets:\n    node: pve1\n    template: ${TEMPLATE}\n    network:\n${NAMES.map((n) => `      ${n}:\n        bridge: vmbr0\n`).join("")}`;
  s += `outputs:\n  ykeys:\n    value: \${jsonencode({ ${NAMES.map((n) => `"${n}" = local.${n}`).join(", ")} })}\n`;
  return s;
}

describe.skipIf(!BUILT)(`Object.prototype names are plain names${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  afterAll(() => process.env["PMXFORM_KEEP"] || dirs.forEach((w) => w.remove()));

  it("in keys, labels, locals, variables, outputs, for_each, env and encoders (HCL and YAML)", async () => {
    const w = new Workdir("pmx-proto-");
    dirs.push(w);
    w.write("main.pmx.hcl", hcl());
    putSimOciArchive(w.path("sim"), "app.tar"); // the oci_container's image, as Proxmox needs it on the node
    const y = new Workdir("pmx-proto-yaml-");
    dirs.push(y);
    y.write("main.pmx.yaml", yamlConfig());
    const r = await w.run("plan", "-json");
    expect(r.stderr).toBe("");
    expect(r.code, r.stdout.slice(0, 3000)).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      resource_changes: { address: string; change: { after: Record<string, unknown> } }[];
      output_changes: Record<string, { after: unknown }>;
    };
    const ry = await y.run("plan", "-json");
    expect(ry.stderr).toBe("");
    expect(ry.code, ry.stdout.slice(0, 3000)).toBe(0);
    const yplan = JSON.parse(ry.stdout) as typeof plan;
    const changes = [...plan.resource_changes, ...yplan.resource_changes];
    const addresses = changes.map((c) => c.address);
    const after = (a: string) => changes.find((c) => c.address === a)!.change.after;
    const outs = { ...plan.output_changes, ...yplan.output_changes };
    const all = Object.fromEntries(NAMES.map((n) => [n, `v-${n}`]));
    for (const n of NAMES) {
      expect(addresses).toContain(`lxc_container.each["${n}"]`);
      expect(addresses).toContain(`lxc_container.y["${n}"]`);
      expect(after(`lxc_container.each["${n}"]`)["description"]).toBe(`v-${n}`);
      expect(after(`lxc_container.y["${n}"]`)["description"]).toBe(`l-${n}-d-${n}`);
      expect(Object.hasOwn(outs, n) && outs[n]!.after).toBe(`v-${n}`);
    }
    const own = (v: unknown) => Object.keys(v as object).sort();
    expect(own(after("lxc_container.nets")["network"])).toEqual(NAMES);
    expect(own(after("lxc_container.ynets")["network"])).toEqual(NAMES);
    expect(after("oci_container.app")["env"]).toEqual(Object.fromEntries(NAMES.map((n) => [n, `e-${n}`])));
    expect(JSON.parse(outs["json"]!.after as string)).toEqual(all);
    for (const n of NAMES) expect(outs["yaml"]!.after as string).toContain(`${n}: v-${n}\n`);
    expect(outs["keys"]!.after).toEqual(NAMES);
    expect(outs["merged"]!.after).toEqual({ ...all, extra: 1 });
    expect(outs["zipped"]!.after).toEqual(all);
    expect(own(outs["forexpr"]!.after)).toEqual(NAMES);
    expect(own(outs["grouped"]!.after)).toEqual(NAMES);
    expect(outs["tomapped"]!.after).toEqual(all);
    expect(outs["decoded"]!.after).toEqual(all);
    expect(outs["yamldecoded"]!.after).toEqual(all);
    expect(outs["looked"]!.after).toEqual(NAMES.map((n) => `v-${n}`));
    expect(JSON.parse(outs["ykeys"]!.after as string)).toEqual(Object.fromEntries(NAMES.map((n) => [n, `l-${n}-d-${n}`])));
  }, 120_000);

  it("applies them and re-plans as no change (state round trip)", async () => {
    const w = new Workdir("pmx-proto-apply-");
    dirs.push(w);
    // The OCI container's env (every name a key of lxc.environment) goes through apply too.
    w.write("main.pmx.hcl", hcl());
    putSimOciArchive(w.path("sim"), "app.tar");
    const a = await w.run("apply", "-auto-approve");
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(a.stdout).toContain(`Apply complete! Resources: ${NAMES.length + 2} added`);
    const p = await w.run("plan", "-detailed-exitcode");
    expect(p.stderr).toBe("");
    expect(p.stdout).toContain("No changes.");
    expect(p.code).toBe(0);
    const list = await w.run("state", "list");
    for (const n of NAMES) expect(list.stdout).toContain(`lxc_container.each["${n}"]`);
    // An env update (the planned oci_keys step) writes every name, and reads back as planned.
    w.write("main.pmx.hcl", hcl().replace(/"e-/g, '"f-'));
    const u = await w.run("apply", "-auto-approve");
    expect(u.stderr).toBe("");
    expect(u.stdout).toContain("Apply complete! Resources: 0 added, 1 changed");
    const again = await w.run("plan", "-detailed-exitcode");
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
    const state = await w.run("state", "show", "oci_container.app");
    for (const n of NAMES) expect(state.stdout).toContain(`f-${n}`);
  }, 300_000);
});
