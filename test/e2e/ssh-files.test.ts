// Files handed to pct on a node reached over SSH: the node's filesystem is not the client's. The
// sshd serving the simulated node runs in its own mount namespace where the directory pmxform
// uses for temporary files (TMPDIR) is an empty tmpfs, so a path made on the client does not
// exist on the node, as with a real remote Proxmox host. SSH keys must reach `pct create` and
// `pct push` as files placed on the node, and those files must be gone afterwards.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllSshConnections } from "../../src/exec/ssh.js";
import { initSim, readCalls, readPushes, setFaults } from "../../src/sim/index.js";
import { CAN_HIDE, HAVE_SSHD, NO_HIDE, NO_SSHD, simNodeBlock, startSshd, type Sshd } from "../helpers/sshd.js";
import { BUILT, NOT_BUILT, Workdir, cli } from "./helpers.js";

const ready = BUILT && HAVE_SSHD && CAN_HIDE;
const why = !BUILT ? NOT_BUILT : !HAVE_SSHD ? NO_SSHD : NO_HIDE;

const KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnlyAAAAAAAAAAAAAAAAAAAAAAA alice@laptop";
const KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAnotherFakeKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBB bob@desk";

describe.skipIf(!ready)(`files placed on a remote node${ready ? "" : ` (skipped: ${why})`}`, () => {
  let w: Workdir;
  let sim: string;
  let clientTmp: string;
  let sshd: Sshd;

  const write = (keys: string[]): void => {
    w.write(
      "main.pmx.hcl",
      `proxmox {\n${simNodeBlock("pve1", sshd, join(sim, "etc/pve"))}}\n` +
        `resource "lxc_container" "web" {
  node            = "pve1"
  vmid            = 301
  hostname        = "web"
  template        = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
  started         = true
  ssh_public_keys = ${JSON.stringify(keys)}
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
}
`,
    );
  };
  /** pmxform with its temporary files in the directory the node cannot see. */
  const run = (...args: string[]) => cli(w.dir, args, { TMPDIR: clientTmp });

  beforeAll(async () => {
    w = new Workdir("pmx-ssh-files-");
    sim = w.path("sim");
    clientTmp = w.path("client-tmp");
    mkdirSync(clientTmp);
    initSim(sim, { nodes: ["pve1"] });
    sshd = await startSshd({ env: { PATH: `${join(sim, "bin")}:/usr/sbin:/usr/bin:/sbin:/bin`, PMXSIM_NODE: "pve1" }, hide: [clientTmp] });
  });
  afterAll(async () => {
    closeAllSshConnections();
    await sshd?.remove();
    w?.remove();
  });

  it("creates the container with its keys from a file made on the node, then removes that file", async () => {
    write([KEY_A]);
    const apply = await run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const create = readCalls(sim).find((c) => c.tool === "pct" && c.argv[0] === "create");
    const flag = create!.argv.indexOf("--ssh-public-keys");
    expect(flag).toBeGreaterThan(0);
    const keysPath = create!.argv[flag + 1]!;
    expect(keysPath.startsWith(clientTmp)).toBe(false);
    expect(keysPath).toMatch(/\/pmxform-keys\.[A-Za-z0-9]{8}$/);
    expect(existsSync(keysPath)).toBe(false);
    expect(readdirSync(clientTmp)).toEqual([]);
    expect(create!.argv.join(" ")).not.toContain("AAAAC3");
    expect((await run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("installs changed keys with pct push from a file on the node", async () => {
    write([KEY_A, KEY_B]);
    const apply = await run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const pushes = readPushes(sim);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({ node: "pve1", vmid: 301, destination: "/root/.ssh/authorized_keys", perms: "0600", content: `${KEY_A}\n${KEY_B}\n` });
    const push = readCalls(sim).find((c) => c.tool === "pct" && c.argv[0] === "push");
    expect(existsSync(push!.argv[2]!)).toBe(false);
    expect((await run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("reports a push whose task failed although pct exited 0", async () => {
    write([KEY_B]);
    setFaults(sim, [{ tool: "pct", args: ["push"], times: 1, stderr: "failed to open /tmp/pmxform-keys.gone for reading\n", exit: 0 }]);
    const apply = await run("apply", "--auto-approve");
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("installing SSH keys");
    expect(apply.stderr).toContain("failed to open /tmp/pmxform-keys.gone for reading");
    setFaults(sim, []);
    expect((await run("plan", "--detailed-exitcode")).code).toBe(2); // the keys were not installed: still planned
  });
});
