// oci_container plans hide the same bookkeeping as lxc_container (volumes_to_delete, digest, ...):
// rendered through the real provider registry, as `pmxform plan` does.
import { describe, expect, it } from "vitest";
import { ociContainer } from "../../../providers/oci/container.js";
import { ociAttrsFromConf } from "../../../providers/oci/container-attrs.js";
import { lxcContainer } from "../../../providers/lxc/resource.js";
import { parseConf } from "../../../src/pve/conf.js";
import { splitUnknown } from "../../../src/plan/attr-diff.js";
import { renderPlan } from "../../../src/plan/render.js";
import { renderContext } from "../../../src/commands/plan-output.js";
import { buildRegistry } from "../../../src/registry-wiring.js";
import type { Attrs } from "../../../src/provider/types.js";
import { recordedSnapshot } from "../lxc/helpers.js";

const IMAGE = "local:vztmpl/app_1.tar";
const config = (mount: Attrs): Attrs => ({ node: "pve1", image: IMAGE, hostname: "app", rootfs: { storage: "local-lvm", size: "2G" }, mount, started: true });
const DATA = { data: { storage: "local-lvm", size: "1G", path: "/data" } };
/** What Proxmox stores for config(DATA) as the running vmid 120. */
const STORED = [
  "arch: amd64",
  "entrypoint: /bin/app",
  "hostname: app",
  "mp0: local-lvm:vm-120-disk-1,mp=/data,size=1G",
  "ostype: unmanaged",
  "rootfs: local-lvm:vm-120-disk-0,size=2G",
  "unprivileged: 1",
  "",
].join("\n");

const diff = (c: Attrs, prior: Attrs | null) => ociContainer.diff({ address: "oci_container.app", config: c, prior, snapshot: recordedSnapshot(), claimedVmids: new Set(), forceReplace: false });

describe("oci_container hidden attributes", () => {
  it("shares lxc_container's list", () => {
    expect(ociContainer.hiddenAttributes).toBe(lxcContainer.hiddenAttributes);
  });

  it("a plan removing a volume mount of a running container does not print volumes_to_delete", async () => {
    const prior = ociAttrsFromConf(120, "pve1", parseConf(STORED), true, diff(config(DATA), null).planned, "d1");
    const d = diff(config({}), prior);
    expect(d.action).toBe("update");
    // The bookkeeping is there (apply deletes the volume after the restart), only not shown.
    expect(d.planned["volumes_to_delete"]).toEqual(["local-lvm:vm-120-disk-1"]);
    const after = splitUnknown(d.planned);
    const text = renderPlan(
      [
        {
          address: "oci_container.app",
          type: "oci_container",
          decl: "oci_container.app",
          action: d.action,
          before: prior,
          after: after.value as Attrs,
          afterUnknown: after.unknown,
          sensitivePaths: [],
          reasons: [],
          notes: d.notes ?? [],
          dependencies: [],
        },
      ],
      [],
      renderContext(await buildRegistry(), false),
    );
    expect(text).toContain("# oci_container.app will be updated in-place");
    expect(text).toMatch(/- mount "data" \{/);
    expect(text).toContain("vm-120-disk-1");
    for (const hidden of ["volumes_to_delete", "managed_keys", "digest", "mount_names"]) expect(text).not.toContain(hidden);
  });
});
