// What references see of a resource instance: every declared attribute, null when left out, or
// unknown while planned when the type says the node decides it (computedAttributes).
import { describe, expect, it } from "vitest";
import { Unknown } from "../../src/config/value.js";
import { declaredAttributes, referenceValue } from "../../src/engine/reference-value.js";
import { lxcContainer } from "../../providers/lxc/resource.js";
import { ociContainer } from "../../providers/oci/container.js";
import { ociImage } from "../../providers/oci/image.js";

describe("referenceValue", () => {
  const planned = { node: "pve1", vmid: 100, rootfs: { storage: "local-lvm", size: "1G" } };

  it("declares every configuration attribute and block of the type", () => {
    expect(declaredAttributes(lxcContainer)).toEqual(expect.arrayContaining(["hostname", "memory", "cores", "network", "mount", "rootfs", "description"]));
    expect(declaredAttributes(ociContainer)).toEqual(expect.arrayContaining(["image", "entrypoint", "env"]));
    expect(declaredAttributes(ociImage)).toEqual(expect.arrayContaining(["reference", "storage", "auth"]));
  });

  it("planned: what the node decides is unknown, the rest null; set values stay", () => {
    const v = referenceValue(lxcContainer, planned, true) as Record<string, unknown>;
    expect(v["hostname"]).toBeInstanceOf(Unknown);
    expect(v["memory"]).toBeInstanceOf(Unknown);
    expect(v["cores"]).toBeNull();
    expect(v["network"]).toBeNull();
    expect(v["vmid"]).toBe(100);
    const oci = referenceValue(ociContainer, planned, true) as Record<string, unknown>;
    expect(oci["entrypoint"]).toBeInstanceOf(Unknown);
    expect(oci["env"]).toBeInstanceOf(Unknown);
  });

  it("known (state, applied): everything left out is null, nothing unknown", () => {
    const v = referenceValue(lxcContainer, { ...planned, hostname: "CT100", memory: 512 }, false) as Record<string, unknown>;
    expect(v).toMatchObject({ hostname: "CT100", memory: 512, cores: null, swap: null });
    expect(Object.values(v).some((x) => x instanceof Unknown)).toBe(false);
  });

  it("leaves what is not an attribute object as it is", () => {
    const u = new Unknown("object");
    expect(referenceValue(lxcContainer, u, true)).toBe(u);
    expect(referenceValue(lxcContainer, null, true)).toBeNull();
    expect(referenceValue(undefined, planned, true)).toBe(planned);
  });
});
