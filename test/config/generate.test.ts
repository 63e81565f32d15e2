// Generated configuration reads back through pmxform's own front ends to the same values.
import { describe, expect, it } from "vitest";
import { writeGenerated } from "../../src/config/generate/index.js";
import { hclString } from "../../src/config/generate/hcl.js";
import { loadConfig } from "../../src/config/load.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { containerBlocks } from "../../providers/lxc/schema.js";

const body = {
  node: "pve1",
  vmid: 120,
  description: 'line "one"\nuses ${not_a_ref} and %{ if x } \\ tab\t',
  tags: ["a", "b"],
  raw_lxc: ["lxc.idmap: u 0 100000 65536"],
  rootfs: { storage: "local-lvm", size: "8G" },
  network: { eth0: { bridge: "vmbr0", ip: "dhcp" }, "odd name": { bridge: "vmbr1" } },
  features: { nesting: true, mount: ["nfs"] },
};

describe("configuration generation", () => {
  it("escapes strings so HCL never reads text as a template", () => {
    expect(hclString("a${b}%{c}")).toBe('"a$${b}%%{c}"');
  });

  it.each(["hcl", "yaml"] as const)("%s round-trips through the config loader", async (format) => {
    const dir = mkdtempSync(join(tmpdir(), "pmx-gen-"));
    try {
      const text = writeGenerated([{ type: "lxc_container", name: "web", body, blocks: containerBlocks, comments: ["imported from pve1/120"] }], format, ["header"]);
      writeFileSync(join(dir, `gen.pmx.${format}`), text);
      const loaded = await loadConfig({ dir });
      expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const res = loaded.module.resources.get("lxc_container.web");
      expect(res).toBeDefined();
      const src = JSON.stringify(res);
      expect(src).toContain("odd name");
      expect(src).toContain("${not_a_ref}");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
