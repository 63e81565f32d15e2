// writeOciKeys against a conf whose env waits in [pve:pending] (set by `pct set --env` on the
// running container outside pmxform): the env pmxform writes must be the one in effect after
// the next start, since a pending env replaces the current one verbatim then (pve-container
// Config.pm vmconfig_apply_pending), and refresh reads the pending one. Seeded random envs.
import { describe, expect, it } from "vitest";
import { parseConf, writeConf } from "../../../src/pve/conf.js";
import { effectiveSection } from "../../../providers/lxc/attrs.js";
import { envMap, writeOciKeys } from "../../../providers/oci/container-attrs.js";
import { prng } from "../../helpers/prng.js";

const BASE = "arch: amd64\nentrypoint: /bin/app\nhostname: app\nmemory: 512\nostype: unmanaged\nrootfs: local-lvm:vm-150-disk-0,size=1G\n";
const envLines = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([k, v]) => `lxc.environment.runtime: ${k}=${v}\n`)
    .join("");

describe("writeOciKeys with a pending env", () => {
  it("the env after the next start is the image's plus the configured one (seeded random envs)", () => {
    const r = prng(2204);
    const pick = (n: number, p: string) => Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * n) }, (_, i) => [`${p}${i}`, `v${Math.floor(r() * 100)}`]));
    for (let i = 0; i < 40; i++) {
      const image = { PATH: "/usr/bin", HOME: "/root" };
      const mine = pick(3, "APP_");
      const outside = { ...image, ...mine, ...pick(2, "APP_"), EXTRA: "x" };
      const want = pick(4, "APP_");
      const pending = r() < 0.8;
      const text = BASE + envLines({ ...image, ...mine }) + (pending ? `\n[pve:pending]\n${envLines(outside)}` : "");
      const conf = parseConf(text, "150");
      writeOciKeys(conf, { env: want, remove: Object.keys(mine) });
      const written = writeConf(conf);
      // The pending section held only the env: nothing is left waiting.
      expect(written).not.toContain("[pve:pending]");
      const after = effectiveSection(parseConf(written, "150")).section.env;
      const base = pending ? outside : { ...image, ...mine };
      const expected = { ...Object.fromEntries(Object.entries(base).filter(([k]) => !(k in mine))), ...want };
      expect(envMap(after), `case ${i} (pending: ${pending})`).toEqual(expected);
    }
  });
});
