// Random combinations of optional inputs (seeded; PMXFORM_CATALOG_SEED to replay): static or DHCP
// addresses, GPU on or off, resources, machine learning on or off. Every combination must plan,
// create exactly the resources it implies, and give a url output that matches the address.
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, type Workdir } from "../e2e/helpers.js";
import { prng } from "../helpers/prng.js";
import { appAsRoot, catalogEntries, requiredVars } from "./helpers.js";

const SEED = Number(process.env["PMXFORM_CATALOG_SEED"] ?? 19);
const CASES = 8;
const dirs: Workdir[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

describe.skipIf(!BUILT)(`catalog apps with random optional inputs${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  it(`${CASES} seeded combinations (seed ${SEED}) plan as the inputs say`, async () => {
    const rnd = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const apps = catalogEntries();
    for (let n = 0; n < CASES; n++) {
      const app = n === 0 ? apps.find((a) => a.name === "immich")! : pick(apps);
      const vars: Record<string, string> = {};
      const host = 10 + Math.floor(rnd() * 200);
      const staticIp = rnd() < 0.5;
      if (staticIp) Object.assign(vars, { ip: `192.0.2.${host}/24`, gateway: "192.0.2.1" });
      if (app.gpu.length && rnd() < 0.5) vars["gpu"] = pick(app.gpu);
      vars["cores"] = String(1 + Math.floor(rnd() * 8));
      vars["memory"] = String(pick([512, 1024, 2048, 4096]));
      vars["started"] = String(rnd() < 0.8);
      const ml = app.name === "immich" ? rnd() < 0.5 : undefined;
      if (ml !== undefined) vars["machine_learning"] = String(ml);
      const where = `${app.name} with ${JSON.stringify(vars)} (seed ${SEED}, case ${n})`;
      const w = appAsRoot(app.name);
      dirs.push(w);
      const plan = await w.run("plan", "-detailed-exitcode", ...(await requiredVars(app.dir, vars)));
      expect(plan.code, `${where}\n${plan.stdout}${plan.stderr}`).toBe(2);
      const created = [...plan.stdout.matchAll(/# (\S+) will be created/g)].map((m) => m[1]!);
      const containers = created.filter((a) => a.startsWith("oci_container.")).length;
      const expected = app.name === "immich" ? (ml ? 4 : 3) : app.name === "paperless-ngx" ? 2 : 1;
      expect(containers, where).toBe(expected);
      expect(created.filter((a) => a.startsWith("oci_image.")).length, where).toBe(expected);
      const url = /\+ url\s+= "([^"]+)"/.exec(plan.stdout)?.[1];
      expect(url, where).toBeDefined();
      if (staticIp) expect(url, where).toContain(`//192.0.2.${host}:`);
      else expect(url, where).not.toMatch(/\/\/\d/);
      if (vars["gpu"]) expect(plan.stdout, where).toContain("lxc.cgroup2.devices.allow: c 226:128 rwm");
      else expect(plan.stdout, where).not.toContain("226:128");
    }
  }, 600_000);
});
