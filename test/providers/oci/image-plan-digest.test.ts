// Which digest an oci_image plan pins for a pull (pure, over seeded random situations): the one
// the refresh resolved for exactly the configured reference, else unknown (apply resolves it);
// every pinned digest is named in a note, since the renderer hides digest attributes.
import { describe, expect, it } from "vitest";
import { isUnknown } from "../../../src/config/value.js";
import { diffImage } from "../../../providers/oci/image.js";
import type { ProxmoxSnapshot, RegistryLookup } from "../../../providers/oci/snapshot.js";
import { emptySnapshot } from "../../../providers/lxc/snapshot.js";
import type { Attrs } from "../../../src/provider/types.js";
import { prng } from "../../helpers/prng.js";

const A = "registry.test/pmx/app:1";
const B = "registry.test/pmx/app:2";
const d = (c: string) => `sha256:${c.repeat(64)}`;
const ADDRESS = "oci_image.app";

describe("oci_image plan digest", () => {
  it("pins the digest resolved at plan time for exactly the configured reference", () => {
    const seed = Number(process.env["PMX_SEED"] ?? Date.now() % 100000);
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    for (let i = 0; i < 300; i++) {
      const reference = pick([A, B, `registry.test/pmx/app@${d("e")}`]);
      const hasPrior = rnd() < 0.6;
      const prior: Attrs | null = hasPrior
        ? {
            node: "pve1",
            storage: pick(["local", "other"]),
            reference: A,
            full_reference: A,
            platform: "amd64",
            tls_verify: true,
            auth_mode: "none",
            digest: d("a"),
            volid: "local:vztmpl/x.tar",
            size: 1,
            volumes: [],
            address: ADDRESS,
          }
        : null;
      const lookups: RegistryLookup[] = [{ digest: d("b") }, { error: "registry down." }, { skipped: "password" }];
      const recorded = rnd() < 0.5 ? pick(lookups) : undefined;
      const resolvedRef = pick([A, B]);
      const resolved = rnd() < 0.6 ? { reference: resolvedRef, ...pick([{ digest: d("c") }, { error: "registry down." }]) } : undefined;
      const snap: ProxmoxSnapshot = {
        ...emptySnapshot(["pve1"]),
        templates: new Map(),
        registry: new Map(recorded ? [[ADDRESS, recorded]] : []),
        resolved: new Map(resolved ? [[ADDRESS, resolved]] : []),
        imageVolumes: new Map(),
      };
      const config: Attrs = { node: "pve1", storage: "local", reference, tls_verify: true };
      const diff = diffImage({ address: ADDRESS, config, prior, snapshot: snap, claimedVmids: new Set(), forceReplace: false });
      const why = `seed ${seed} case ${i}: ${JSON.stringify({ reference, prior: prior?.["storage"], recorded, resolved })}`;
      if (diff.action !== "create" && diff.action !== "replace") continue;
      const digest = diff.planned["digest"];
      let expected: string | undefined;
      if (reference.includes("@")) expected = d("e");
      else if (diff.reasons.some((r) => r.path[0] === "digest"))
        expected = (recorded as { digest: string }).digest; // the tag moved
      else if (prior && reference === A) expected = recorded && "digest" in recorded ? recorded.digest : undefined;
      else expected = resolved && resolved.reference === reference && "digest" in resolved ? resolved.digest : undefined;
      if (expected === undefined) expect(isUnknown(digest), why).toBe(true);
      else {
        expect(digest, why).toBe(expected);
        expect(String(diff.planned["volid"]), why).toContain(expected.slice(7, 19));
        if (!reference.includes("@")) expect((diff.notes ?? []).join("\n"), why).toContain(expected);
      }
    }
  });
});
