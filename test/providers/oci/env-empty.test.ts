// env = {} is a managed empty map: read back as {} (not absent), so the plan after the apply that
// wrote it is a no-op instead of "+ env = {}" on every run. Pure, through the provider's diff.
import { describe, expect, it } from "vitest";
import { ociContainer } from "../../../providers/oci/container.js";
import { ociAttrsFromConf, ociChanges } from "../../../providers/oci/container-attrs.js";
import { parseConf } from "../../../src/pve/conf.js";
import type { Attrs } from "../../../src/provider/types.js";
import { recordedSnapshot } from "../lxc/helpers.js";

const IMAGE = "local:vztmpl/app_1.tar";
const STORED = [
  "arch: amd64",
  "entrypoint: /bin/app",
  "hostname: app",
  "ostype: unmanaged",
  "rootfs: local-lvm:vm-120-disk-0,size=2G",
  "unprivileged: 1",
  "lxc.environment.runtime: PATH=/bin",
  "lxc.init.uid: 1000",
  "lxc.init.gid: 1001",
  "lxc.init.cwd: /srv",
  "",
].join("\n");
const config = (extra: Attrs): Attrs => ({ node: "pve1", image: IMAGE, hostname: "app", rootfs: { storage: "local-lvm", size: "2G" }, started: true, ...extra });
const diff = (c: Attrs, prior: Attrs | null) => ociContainer.diff({ address: "oci_container.app", config: c, prior, snapshot: recordedSnapshot(), claimedVmids: new Set(), forceReplace: false });

describe("oci_container env = {}", () => {
  it("reads back as {} once applied, and re-plans as no-op", () => {
    const planned = diff(config({ env: {} }), null).planned;
    const applied = ociAttrsFromConf(120, "pve1", parseConf(STORED), true, { ...planned, image: IMAGE }, "d1");
    expect(applied["env"]).toEqual({});
    const again = diff(config({ env: {} }), applied);
    expect(again.action).toBe("no-op");
    expect(ociChanges(applied, again.planned).confEdit).toBe(false);
  });

  it("the image's working directory and user are read, not planned away, when unset", () => {
    const applied = ociAttrsFromConf(120, "pve1", parseConf(STORED), true, { ...diff(config({ env: { A: "1" } }), null).planned, image: IMAGE }, "d1");
    expect(applied).toMatchObject({ working_dir: "/srv", user: "1000:1001", env: {} });
    const again = diff(config({ env: { A: "1" } }), applied);
    expect(again.planned).toMatchObject({ working_dir: "/srv", user: "1000:1001", env: { A: "1" } });
  });
});
