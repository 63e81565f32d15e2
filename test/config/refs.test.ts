// Reference extraction: var/local/resource/each/count/path refs with attributes and ranges,
// names bound by for-expressions and template for-directives ignored.
import { describe, expect, it } from "vitest";
import { references, undeclaredReferences } from "../../src/config/refs.js";
import type { Ref } from "../../src/config/refs.js";
import { parse, slice } from "./eval-helpers.js";

async function refs(src: string): Promise<Omit<Ref, "range">[]> {
  return references(await parse(src)).map(({ range: _r, ...rest }) => rest);
}

describe("references", () => {
  it("finds variables, locals and path", async () => {
    expect(await refs('"${var.bridge}-${local.name}" == path.module')).toEqual([
      { kind: "var", name: "bridge" },
      { kind: "local", name: "name" },
      { kind: "path", name: "module" },
    ]);
  });

  it("finds resources with their first attribute, through indexes and splats", async () => {
    expect(await refs("oci_image.nginx.volid")).toEqual([{ kind: "resource", type: "oci_image", name: "nginx", attr: "volid" }]);
    expect(await refs('lxc_container.db["a"].vmid')).toEqual([{ kind: "resource", type: "lxc_container", name: "db", attr: "vmid" }]);
    expect(await refs("lxc_container.web[*].vmid")).toEqual([{ kind: "resource", type: "lxc_container", name: "web", attr: "vmid" }]);
    expect(await refs("lxc_container.web")).toEqual([{ kind: "resource", type: "lxc_container", name: "web" }]);
  });

  it("finds references inside index keys, calls, conditionals and objects", async () => {
    expect(await refs("local.m[var.k]")).toEqual([
      { kind: "local", name: "m" },
      { kind: "var", name: "k" },
    ]);
    expect(await refs("{ (var.k) = max(local.a, x.y.z) > 1 ? -local.b : !each.value.on }")).toEqual([
      { kind: "var", name: "k" },
      { kind: "local", name: "a" },
      { kind: "resource", type: "x", name: "y", attr: "z" },
      { kind: "local", name: "b" },
      { kind: "each", name: "value", attr: "on" },
    ]);
    expect(await refs("count.index")).toEqual([{ kind: "count", name: "index" }]);
  });

  it("ignores names bound by for expressions and template for directives", async () => {
    expect(await refs("[for k, v in var.m : v.id if k != local.skip]")).toEqual([
      { kind: "var", name: "m" },
      { kind: "local", name: "skip" },
    ]);
    expect(await refs('"%{ for h in var.hosts }${h.name}${lxc_container.web.vmid}%{ endfor }"')).toEqual([
      { kind: "var", name: "hosts" },
      { kind: "resource", type: "lxc_container", name: "web", attr: "vmid" },
    ]);
    // The name is bound only inside the for expression.
    expect(await refs("[for x in [] : x] == x.y")).toEqual([{ kind: "resource", type: "x", name: "y" }]);
  });

  it("ignores self, bare roots and literals", async () => {
    expect(await refs("self.vmid")).toEqual([]);
    expect(await refs("var")).toEqual([]);
    expect(await refs("lxc_container")).toEqual([]);
    expect(await refs('"plain"')).toEqual([]);
  });

  it("gives each reference the range of its address", async () => {
    const src = 'format("%s", lxc_container.web[0].vmid, var.x)';
    const r = references(await parse(src));
    expect(r.map((x) => slice(src, x.range))).toEqual(["lxc_container.web", "var.x"]);
  });
});

describe("undeclaredReferences", () => {
  it("reports undeclared variables, locals and resources with suggestions", async () => {
    const src = "[var.brige, local.nme, lxc_container.wbe.vmid, var.ok]";
    const diags = undeclaredReferences(references(await parse(src)), {
      variables: new Set(["bridge", "ok"]),
      locals: new Set(["name"]),
      resources: new Set(["lxc_container.web"]),
    });
    expect(diags.map((d) => d.summary)).toEqual(["Reference to undeclared input variable", "Reference to undeclared local value", "Reference to undeclared resource"]);
    expect(diags.map((d) => slice(src, d.subject))).toEqual(["var.brige", "local.nme", "lxc_container.wbe"]);
    expect(diags[2]?.detail).toContain('Did you mean "lxc_container.web"?');
  });
});
