// What pmxform writes for Samba, checked by the REAL testparm (Samba 4.17, /usr/bin/testparm; no
// daemon needed): for seeded random share options, Debian's stock smb.conf with the include line,
// pmxform's index and the share files load without an error or an unknown parameter, and
// testparm's own dump of each share holds the values pmxform meant (or Samba's default where
// pmxform wrote nothing).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canonSmbAttrs, parseSmbFile, smbBody, smbFileText } from "../../../providers/shares/smb-file.js";
import { checkConfigText, indexText, testparmProblem } from "../../../providers/shares/apply.js";
import { SMB_FIELDS } from "../../../providers/shares/fields.js";
import { randomSmbConfig, rng } from "./random-shares.js";

const TESTPARM = "/usr/bin/testparm";
const HAVE = existsSync(TESTPARM);
const STOCK = join(import.meta.dirname, "../../sim/fixtures/testparm/debian-stock.conf");
/** Samba 4.17's defaults for what pmxform may leave out (testparm's dump omits a default). */
const SAMBA_DEFAULT: Record<string, unknown> = { browseable: true, read_only: true, guest_ok: false, create_mask: "0744", directory_mask: "0755" };

/** testparm -s's dump split into its sections (name -> the section's text). */
function sections(dump: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of dump.split(/\n(?=\[)/)) {
    const m = /^\[([^\]]+)\]/.exec(part);
    if (m) out.set(m[1]!.toLowerCase(), part);
  }
  return out;
}

describe.skipIf(!HAVE)(`the real testparm accepts what pmxform writes${HAVE ? "" : ` (skipped: ${TESTPARM} is not installed; apt install samba-common-bin)`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "pmx-testparm-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("40 seeded random sets of shares load cleanly and dump as configured", () => {
    const r = rng(4017);
    for (let round = 0; round < 40; round++) {
      const shares = new Map<string, ReturnType<typeof randomSmbConfig>>();
      for (let i = 0; i < 1 + Math.floor(r() * 3); i++) {
        const c = randomSmbConfig(r);
        shares.set(String(c["name"]).toLowerCase(), c);
      }
      const files: string[] = [];
      for (const [lower, c] of shares) {
        const file = join(dir, `${lower}.conf`);
        writeFileSync(file, smbFileText(String(c["name"]), "0f4c5d1e-lineage", smbBody(String(c["name"]), canonSmbAttrs(c))));
        files.push(file);
      }
      const index = join(dir, "pmxform.conf");
      writeFileSync(index, indexText(files));
      const top = join(dir, "smb.conf");
      // Exactly what apply hands testparm: the user's smb.conf (ending with the include line) with
      // that line pointed at the candidate index.
      writeFileSync(top, checkConfigText(readFileSync(STOCK, "utf8") + "include = /etc/samba/pmxform.conf\n", index));
      const res = spawnSync(TESTPARM, ["-s", top], { encoding: "utf8" });
      const seen = `round ${round}: ${JSON.stringify([...shares.values()])}\n${res.stderr}`;
      expect(res.status, seen).toBe(0);
      expect(testparmProblem(res.stderr, res.status ?? -1), seen).toBeUndefined();
      const dumped = sections(res.stdout);
      for (const [lower, c] of shares) {
        const section = dumped.get(lower);
        expect(section, seen).toBeDefined();
        const back = parseSmbFile(section!);
        // The index's next include line is read inside the share before it (includes are textual)
        // and shows there in the dump; Samba still loads that file.
        expect(
          back.unmanaged.filter((l) => !l.startsWith("include = ")),
          `${seen}\n${section!}`,
        ).toEqual([]);
        const want = canonSmbAttrs(c);
        for (const f of SMB_FIELDS) {
          const got = back.attrs[f.attr] ?? SAMBA_DEFAULT[f.attr] ?? null;
          expect(got, `${seen}\n${f.attr}`).toEqual(want[f.attr] ?? SAMBA_DEFAULT[f.attr] ?? null);
        }
      }
    }
  });

  it("an include line in the middle of [global] hands the globals after it to the last share (why plan refuses it)", () => {
    const share = join(dir, "one.conf");
    writeFileSync(share, "[one]\n\tpath = /one\n");
    const top = join(dir, "mid.conf");
    writeFileSync(top, readFileSync(STOCK, "utf8").replace("[global]\n", `[global]\n   include = ${share}\n`));
    const r = spawnSync(TESTPARM, ["-s", top], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("Global parameter workgroup found in service section!");
    expect(testparmProblem(r.stderr, 0)).toContain("Global parameter");
  });

  it("and testparmProblem reads a real failure and a real unknown parameter as refusals", () => {
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, "[x]\n\tpath = /x\n\tread only = maybe\n");
    const r1 = spawnSync(TESTPARM, ["-s", bad], { encoding: "utf8" });
    expect(testparmProblem(r1.stderr, r1.status ?? -1)).toContain("value is not boolean");
    writeFileSync(bad, "[x]\n\tpath = /x\n\tno such thing = 1\n");
    const r2 = spawnSync(TESTPARM, ["-s", bad], { encoding: "utf8" });
    expect(r2.status).toBe(0);
    expect(testparmProblem(r2.stderr, 0)).toContain('Unknown parameter encountered: "no such thing"');
    expect(execFileSync(TESTPARM, ["--version"], { encoding: "utf8" })).toMatch(/^Version 4\./);
  });
});
