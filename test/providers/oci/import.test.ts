// oci_container import, pure: recognising application containers, entrypoint words, adopted env,
// and generated configuration that diffs as no-op (the unknown image never forces a replacement).
import { describe, expect, it } from "vitest";
import { confDigest, parseConf } from "../../../src/pve/conf.js";
import { emptySnapshot, type LxcSnapshot } from "../../../providers/lxc/snapshot.js";
import { ociContainer } from "../../../providers/oci/container.js";
import { shellQuote } from "../../../providers/oci/container-attrs.js";
import { IMAGE_UNKNOWN_AT_IMPORT, entrypointWords, shellWords } from "../../../providers/oci/import.js";
import { lxcContainer } from "../../../providers/lxc/resource.js";
import { TEMPLATE_UNKNOWN_AT_IMPORT } from "../../../providers/lxc/template-placeholder.js";

const APP = `arch: amd64
cmode: console
entrypoint: /bin/app --mode 'two words' ''
hostname: app
memory: 512
net0: name=eth0,bridge=vmbr0,host-managed=1,hwaddr=BC:24:11:51:F8:74,ip=dhcp,type=veth
ostype: alpine
rootfs: local-lvm:vm-120-disk-0,size=2G
mp0: local-lvm:vm-120-disk-1,mp=/data,size=1G
unprivileged: 1
lxc.environment.runtime: PATH=/bin
lxc.environment.runtime: APP_MODE=prod
lxc.init.cwd: /srv
lxc.init.uid: 1000
lxc.init.gid: 1000
lxc.signal.halt: SIGTERM
`;
const SYSTEM = "arch: amd64\nhostname: plain\nmemory: 256\nrootfs: local-lvm:vm-121-disk-0,size=1G\n";

function snapshot(): LxcSnapshot {
  const s = emptySnapshot(["pve1"]);
  for (const [vmid, text, running] of [
    [120, APP, true],
    [121, SYSTEM, false],
  ] as const)
    s.containers.set(vmid, { node: "pve1", conf: parseConf(text, String(vmid)), digest: confDigest(text), running });
  return s;
}

describe("shell words of a stored entrypoint", () => {
  it.each([
    ["/bin/app", ["/bin/app"]],
    ["/bin/app --mode 'two words' ''", ["/bin/app", "--mode", "two words", ""]],
    [`sh -c 'echo '\\''hi'\\'''`, ["sh", "-c", "echo 'hi'"]],
    [`a "b c" d\\ e`, ["a", "b c", "d e"]],
  ])("%s", (text, words) => {
    expect(shellWords(text)).toEqual(words);
  });
  it("refuses unbalanced quotes, and words that would be written back differently", () => {
    expect(shellWords("a 'b")).toBeUndefined();
    expect(entrypointWords(`a "b c"`)).toBeUndefined(); // written back as a 'b c'
    const words = ["/x", "a'b", "$HOME", "tab\there"];
    expect(entrypointWords(shellQuote(words))).toEqual(words);
  });
});

describe("oci_container import", () => {
  it("adopts application containers only; lxc_container leaves them to it", () => {
    const snap = snapshot();
    expect(ociContainer.importable!(snap).map((c) => c.id)).toEqual(["pve1/120"]);
    expect(lxcContainer.importable!(snap).find((c) => c.identity["vmid"] === 120)?.skip).toMatch(/oci_container/);
    expect(ociContainer.import!({ address: "oci_container.x", id: "pve1/121", snapshot: snap })).toBeNull();
    expect(ociContainer.explainImportMiss!("pve1/121", snap)).toMatch(/system container.*import it as lxc_container/);
    expect(ociContainer.explainImportMiss!("pve1/999", snap)).toMatch(/no container with vmid 999/);
  });

  it("generates image placeholder, entrypoint words, every env variable, working_dir and user", () => {
    const snap = snapshot();
    const attrs = ociContainer.import!({ address: "oci_container.app", id: "120", snapshot: snap })!;
    expect(attrs["image"]).toBeUndefined();
    const config = ociContainer.generateConfig!(attrs);
    expect(config).toMatchObject({
      node: "pve1",
      vmid: 120,
      image: IMAGE_UNKNOWN_AT_IMPORT,
      cmode: "console",
      entrypoint: ["/bin/app", "--mode", "two words", ""],
      env: { PATH: "/bin", APP_MODE: "prod" },
      working_dir: "/srv",
      user: "1000:1000",
      started: true,
    });
    // The halt signal pct create wrote from the image is the image's, not a raw_lxc line (OCI_OWNED).
    expect(config["raw_lxc"]).toBeUndefined();
    expect(config["template"]).toBeUndefined();
    expect(ociContainer.unexpressed!(attrs)).toEqual([]);
    const d = ociContainer.diff({ address: "oci_container.app", config, prior: attrs, snapshot: snap, claimedVmids: new Set(), forceReplace: false });
    expect(d.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(d.reasons).toEqual([]);
    expect(d.action).toBe("no-op");
    // A real image in the configuration is adopted, not a replacement.
    const withImage = ociContainer.diff({
      address: "oci_container.app",
      config: { ...config, image: "local:vztmpl/app.tar" },
      prior: attrs,
      snapshot: snap,
      claimedVmids: new Set(),
      forceReplace: false,
    });
    expect(withImage.action).toBe("no-op");
    // The placeholder recorded by an update is no more known: a real image is adopted.
    const placeholder = ociContainer.diff({
      address: "oci_container.app",
      config: { ...config, image: "local:vztmpl/app.tar" },
      prior: { ...attrs, image: IMAGE_UNKNOWN_AT_IMPORT },
      snapshot: snap,
      claimedVmids: new Set(),
      forceReplace: false,
    });
    expect(placeholder.action).toBe("no-op");
    // Once recorded, a different image is a replacement as for any oci_container.
    const recorded = ociContainer.diff({
      address: "oci_container.app",
      config: { ...config, image: "local:vztmpl/app2.tar", vmid: undefined },
      prior: { ...attrs, image: "local:vztmpl/app.tar" },
      snapshot: snap,
      claimedVmids: new Set(),
      forceReplace: false,
    });
    expect(recorded.action).toBe("replace");
  });
});

describe("lxc_container import placeholder", () => {
  it("a recorded unknown-at-import template never forces a replacement; a recorded real one does", () => {
    const snap = snapshot();
    const attrs = lxcContainer.import!({ address: "lxc_container.plain", id: "pve1/121", snapshot: snap })!;
    const config = lxcContainer.generateConfig!(attrs);
    expect(config["template"]).toBe(TEMPLATE_UNKNOWN_AT_IMPORT);
    const diff = (template: string, recorded: string) =>
      lxcContainer.diff({ address: "lxc_container.plain", config: { ...config, template }, prior: { ...attrs, template: recorded }, snapshot: snap, claimedVmids: new Set(), forceReplace: false });
    expect(diff("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", TEMPLATE_UNKNOWN_AT_IMPORT).action).toBe("no-op");
    expect(diff("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", "local:vztmpl/alpine.tar.xz").action).toBe("replace");
  });
});
