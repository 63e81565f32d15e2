// A saved plan pins the OCI image it showed: the plan resolves a new image's tag (and a moved
// tag) to a digest, and applying the saved plan pulls exactly that digest even when the tag has
// moved again since; the next plan then shows the move. An update that changes only how the
// registry is reached records what the saved plan showed and pulls nothing. Through the CLI,
// simulator + real registry.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTar } from "../../src/sim/tar.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type Registry } from "../helpers/registry.js";

const SKIP = !BUILT ? NOT_BUILT : !HAVE_REGISTRY_TOOLS ? NO_REGISTRY_TOOLS : "";

const config = (host: string) => `${SIM_NODE}
resource "oci_image" "app" {
  node       = "pve1"
  storage    = "local"
  reference  = "${host}/pmx/pinplan:v1"
  tls_verify = false
}
`;

describe.skipIf(SKIP !== "")(`a saved plan pins the image digest${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  let reg: Registry;
  let w: Workdir;
  beforeAll(async () => {
    reg = await startRegistry();
    w = new Workdir("pmx-e2e-oci-pinplan-");
  });
  afterAll(async () => {
    await reg?.stop();
    w?.remove();
  });
  const state = () =>
    (JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { type: string; attributes: Record<string, unknown> }[] }).resources.find((r) => r.type === "oci_image")!
      .attributes;
  /** The manifest digest inside the archive that was installed under the state's volid. */
  const installedDigest = () => {
    const file = String(state()["volid"]).replace(/^local:vztmpl\//, "");
    const dir = join(w.dir, "sim/nodes/pve1/var/lib/vz/template/cache");
    expect(readdirSync(dir)).toContain(file);
    const index = readTar(readFileSync(join(dir, file))).find((e) => e.name === "index.json")!;
    return (JSON.parse(index.data.toString("utf8")) as { manifests: { digest: string }[] }).manifests[0]!.digest;
  };

  it("a new image: the plan shows the digest, apply installs it though the tag moved", async () => {
    const planned = await pushImage(reg, "pmx/pinplan", "v1", { entrypoint: ["/bin/a"] });
    w.write("main.pmx.hcl", config(reg.host));
    const plan = await w.run("plan", "--out", "plan.out");
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain(`${reg.host}/pmx/pinplan:v1 points to ${planned} now; apply pulls exactly this digest`);
    expect(plan.stdout).toContain(`pmx_pinplan_v1_amd64_${planned.slice("sha256:".length, "sha256:".length + 12)}.tar`);

    const moved = await pushImage(reg, "pmx/pinplan", "v1", { entrypoint: ["/bin/b"] });
    expect(moved).not.toBe(planned);
    const apply = await w.run("apply", "plan.out");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(state()["digest"]).toBe(planned);
    expect(installedDigest()).toBe(planned);

    const again = await w.run("plan");
    expect(again.stdout).toContain(`now points to ${moved} (was ${planned})`);
  }, 180_000);

  it("a moved tag: apply installs the digest the plan showed, not where the tag went since", async () => {
    const shown = /now points to (sha256:[0-9a-f]{64})/.exec((await w.run("plan", "--out", "plan2.out")).stdout)![1]!;
    const later = await pushImage(reg, "pmx/pinplan", "v1", { entrypoint: ["/bin/c"] });
    expect(later).not.toBe(shown);
    const apply = await w.run("apply", "plan2.out");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(state()["digest"]).toBe(shown);
    expect(installedDigest()).toBe(shown);
    expect((await w.run("plan")).stdout).toContain(`now points to ${later} (was ${shown})`);
  }, 180_000);

  it("an access-only update records what the saved plan showed (authfile), a sensitive user name never in the plan, nothing pulled", async () => {
    const w2 = new Workdir("pmx-e2e-oci-access-");
    try {
      const d = await pushImage(reg, "pmx/access", "1", { entrypoint: ["/bin/a"] });
      const img = (auth: string) =>
        `${SIM_NODE}\nvariable "user" {\n  sensitive = true\n  default = "secret-robot-user"\n}\nresource "oci_image" "a" {\n  node = "pve1"\n  storage = "local"\n  reference = "${reg.host}/pmx/access@${d}"\n  tls_verify = false\n${auth}}\n`;
      w2.write("main.pmx.hcl", img(""));
      expect((await w2.run("apply", "--auto-approve")).code).toBe(0);
      const attrs = () => (JSON.parse(readFileSync(w2.path("pmxform.state.json"), "utf8")) as { resources: { attributes: Record<string, unknown> }[] }).resources[0]!.attributes;
      const volid = attrs()["volid"];
      // Nothing pulled again: the archive is the very file (same inode and mtime).
      const archive = () => statSync(join(w2.dir, "sim/nodes/pve1/var/lib/vz/template/cache", String(volid).replace(/^local:vztmpl\//, "")));
      const cache = () => readdirSync(join(w2.dir, "sim/nodes/pve1/var/lib/vz/template/cache")).sort();
      const pulled = [archive().ino, archive().mtimeMs, cache()];

      w2.write("authfile.txt", "/root/reviewed.json\n");
      w2.write("main.pmx.hcl", img(`  auth {\n    authfile = trimspace(file("authfile.txt"))\n  }\n`));
      const plan = await w2.run("plan", "--out", "access.out");
      expect(plan.stdout).toMatch(/~ auth_authfile += "\/root\/reviewed\.json"|auth_authfile.*\/root\/reviewed\.json/);
      const step = (JSON.parse(readFileSync(w2.path("access.out"), "utf8")) as { changes: { operations?: unknown[] }[] }).changes[0]!.operations;
      expect(step).toEqual([{ op: "access", reference: `${reg.host}/pmx/access@${d}`, tls_verify: false, auth: { mode: "authfile", authfile: "/root/reviewed.json" } }]);
      w2.write("authfile.txt", "/root/changed-since.json\n");
      const apply = await w2.run("apply", "access.out");
      expect(apply.stderr).toBe("");
      expect(apply.code).toBe(0);
      expect(attrs()).toMatchObject({ auth_mode: "authfile", auth_authfile: "/root/reviewed.json", volid });

      w2.write("main.pmx.hcl", img(`  auth {\n    username = var.user\n    password = "not-needed-to-record"\n  }\n`));
      const plan2 = await w2.run("plan", "--out", "user.out");
      expect(plan2.code).toBe(0);
      for (const text of [plan2.stdout, readFileSync(w2.path("user.out"), "utf8")]) expect(text).not.toContain("secret-robot-user");
      const apply2 = await w2.run("apply", "user.out");
      expect(apply2.stderr).toBe("");
      expect(apply2.code).toBe(0);
      expect(attrs()).toMatchObject({ auth_mode: "password", auth_username: "secret-robot-user", volid });
      expect([archive().ino, archive().mtimeMs, cache()]).toEqual(pulled);
      // The state marks where the secret is recorded, so later plans, JSON and `show` hide it too.
      const entry = () => (JSON.parse(readFileSync(w2.path("pmxform.state.json"), "utf8")) as { resources: { sensitive_attributes?: unknown[] }[] }).resources[0]!;
      expect(entry().sensitive_attributes).toContainEqual(["auth_username"]);
      expect((await w2.run("plan", "-detailed-exitcode")).code).toBe(0);
      // An update that keeps the user name: neither its before nor its after shows it. (The plan
      // file's prior_state holds the state as it is, secrets included, as Terraform's does.)
      w2.write("main.pmx.hcl", img(`  auth {\n    username = var.user\n    password = "not-needed-to-record"\n  }\n`).replace("tls_verify = false", "tls_verify = true"));
      const plan3 = await w2.run("plan", "--out", "tls.out");
      expect(plan3.code).toBe(0);
      expect(plan3.stdout).toContain("tls_verify");
      const json = await w2.run("show", "-json", "tls.out");
      const state = await w2.run("show");
      for (const [name, text] of [
        ["plan", plan3.stdout],
        ["plan file's changes", JSON.stringify((JSON.parse(readFileSync(w2.path("tls.out"), "utf8")) as { changes: unknown }).changes)],
        ["show -json", json.stdout],
        ["show", state.stdout],
      ]) {
        const at = text!.indexOf("secret-robot-user");
        expect(at, `${name}: ${text!.slice(Math.max(0, at - 300), at + 50)}`).toBe(-1);
      }
    } finally {
      w2.remove();
    }
  }, 180_000);
});
