// Image references: Docker's normalisation (short names -> docker.io/library/...), and the
// template file name derived from the FULL reference, platform and digest (docs/oci.md).
import { createHash } from "node:crypto";

export interface ImageRef {
  /** e.g. "docker.io", "127.0.0.1:5000" */
  registry: string;
  /** e.g. "library/nginx" */
  repository: string;
  tag?: string;
  /** "sha256:<64 hex>" when pinned */
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses and normalises a reference; returns an error text (how to fix it) when it is not one. */
export function parseReference(text: string): ImageRef | string {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return `"${text}" has an invalid digest; write NAME@sha256:<64 lowercase hex digits>`;
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > rest.lastIndexOf("/")) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) return `"${text}" has an invalid tag "${tag}"; tags are letters, digits, _ . - (at most 128)`;
  }
  const parts = rest.split("/");
  let registry = "docker.io";
  const first = parts[0] ?? "";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    parts.shift();
  }
  if (registry === "index.docker.io" || registry === "registry-1.docker.io") registry = "docker.io";
  if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    return `"${text}" is not a valid image name; names are lowercase path components such as "docker.io/library/nginx:1.29"`;
  }
  const ref: ImageRef = { registry, repository: parts.join("/") };
  if (tag === undefined && digest === undefined) tag = "latest";
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** registry/repository without tag or digest. */
export const repoOf = (r: ImageRef) => `${r.registry}/${r.repository}`;

/** The canonical full reference, e.g. docker.io/library/nginx:1.29 or .../nginx:1.29@sha256:... */
export function formatReference(r: ImageRef): string {
  return `${repoOf(r)}${r.tag !== undefined ? `:${r.tag}` : ""}${r.digest !== undefined ? `@${r.digest}` : ""}`;
}

/** What skopeo pulls: the exact digest when known, so a tag moving during apply changes nothing. */
export function pullReference(r: ImageRef, digest: string | undefined): string {
  return digest ? `${repoOf(r)}@${digest}` : formatReference(r);
}

const sanitize = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "_");

/**
 * `<registry>_<repository>_<tag>_<platform>_<12 digest hex>.tar`, "/" and ":" turned into "_".
 * Different repositories (library/redis, bitnami/redis) or registries never share a file, and a
 * tag that moves to a new digest gets a new file (so containers built on it see the change).
 * Very long names are shortened with a hash of the full reference to stay under 200 characters.
 */
export function templateFileName(r: ImageRef, platform: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, "").slice(0, 12);
  let base = sanitize(`${r.registry}_${r.repository}_${r.tag ?? "digest"}`);
  if (base.length > 160) base = `${base.slice(0, 140)}_${createHash("sha256").update(formatReference(r)).digest("hex").slice(0, 12)}`;
  return `${base}_${sanitize(platform)}_${hex}.tar`;
}

/** The user's file_name as a template file: always an uncompressed .tar (what pct detects as OCI). */
export function userFileName(name: string): string {
  return name.endsWith(".tar") ? name : `${name}.tar`;
}
