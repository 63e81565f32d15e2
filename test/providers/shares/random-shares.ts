// Seeded random share configurations for the property tests (fast-check is not installed).
import type { Attrs } from "../../../src/provider/types.js";
import type { ClientAttrs } from "../../../providers/shares/nfs-file.js";

/** mulberry32: a small seeded generator, so a failure names its seed and replays. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const maybe = (r: () => number): boolean => r() < 0.5;

const NAMES = ["media", "Photos", "docs-2024", "a", "backup_set", "X9"];
const USERS = ["alice", "bob", "@family", "+staff", "svc.media", "user$"];
const NETS = ["192.168.1.0/24", "10.0.0.0/8", "172.16.5.4", "fd00::/8", "2001:db8::1", "0.0.0.0/0"];
const COMMENTS = ["Family media", "Backups: nightly (do not delete)", "100% öffentlich", "a=b; c"];

export function randomSmbConfig(r: () => number): Attrs {
  const c: Attrs = { node: "pve1", name: pick(r, NAMES), path: pick(r, ["/tank/media", "/srv/a b/c", "/mnt/x-y_z.1"]) };
  if (maybe(r)) c["comment"] = pick(r, COMMENTS);
  for (const b of ["browseable", "read_only", "guest_ok"]) if (maybe(r)) c[b] = maybe(r);
  if (maybe(r)) c["valid_users"] = USERS.filter(() => maybe(r));
  if (maybe(r)) c["allowed_networks"] = NETS.filter(() => maybe(r));
  if (maybe(r)) c["create_mask"] = pick(r, ["644", "0600", "0775", "0777"]);
  if (maybe(r)) c["directory_mask"] = pick(r, ["755", "0700", "2775"]);
  if (maybe(r)) c["force_user"] = pick(r, ["media", "nobody"]);
  if (maybe(r)) c["force_group"] = pick(r, ["media", "+users"]);
  return c;
}

const SPECS = ["192.168.1.0/24", "10.0.0.5", "*.lan", "@trusted", "*", "nas", "fd00::/64"];

export function randomClients(r: () => number): Record<string, ClientAttrs> {
  const out: Record<string, ClientAttrs> = {};
  for (const spec of SPECS) {
    if (Object.keys(out).length && !maybe(r)) continue;
    const c: ClientAttrs = {};
    for (const b of ["read_only", "sync", "root_squash", "all_squash", "subtree_check"]) if (maybe(r)) c[b] = maybe(r);
    if (c["all_squash"] === true) delete c["root_squash"];
    if (maybe(r)) c["anonuid"] = Math.floor(r() * 70000);
    if (maybe(r)) c["anongid"] = Math.floor(r() * 70000);
    if (maybe(r)) c["sec"] = ["sys", "krb5", "krb5i", "krb5p"].filter(() => maybe(r));
    out[spec] = c;
  }
  return out;
}
