// skopeo argv builders (pure), parsers of its output, and its error texts turned into messages
// that name the resource and the reference (pve-reference §4.4, dependencies §3).

export interface RegistryAccess {
  /** false: plain HTTP or a self-signed certificate is accepted. */
  tlsVerify: boolean;
  /** Path of an auth file (the user's, or the temporary one holding username/password). */
  authfile?: string;
}

/** Global options (before the verb): a single-arch pull of the requested platform. */
function globalArgs(platform: string | undefined): string[] {
  return platform ? ["skopeo", "--override-arch", platform, "--override-os", "linux"] : ["skopeo"];
}

function accessArgs(a: RegistryAccess, tlsFlag: string): string[] {
  const out: string[] = [];
  if (!a.tlsVerify) out.push(`${tlsFlag}=false`);
  if (a.authfile) out.push("--authfile", a.authfile);
  return out;
}

/** The registry's manifest digest of a tag (one request; --no-tags skips the tag listing). */
export function inspectDigestArgv(ref: string, a: RegistryAccess): string[] {
  return ["skopeo", "inspect", "--no-tags", "--format", "{{.Digest}}", ...accessArgs(a, "--tls-verify"), `docker://${ref}`];
}

export function copyArgv(ref: string, archivePath: string, platform: string, a: RegistryAccess): string[] {
  return [...globalArgs(platform), "copy", "--quiet", ...accessArgs(a, "--src-tls-verify"), `docker://${ref}`, `oci-archive:${archivePath}`];
}

/** The OCI image config of a pulled archive (checks that it is an OCI archive at all). */
export function inspectArchiveConfigArgv(archivePath: string): string[] {
  return ["skopeo", "inspect", "--config", `oci-archive:${archivePath}`];
}

export function parseDigest(stdout: string): string | undefined {
  const d = stdout.trim();
  return /^sha256:[0-9a-f]{64}$/.test(d) ? d : undefined;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  volumes: string[];
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  workingDir?: string;
  user?: string;
}

/** `skopeo inspect --config` output (the OCI image config JSON). */
export function parseImageConfig(stdout: string): ImageConfig {
  const j = JSON.parse(stdout) as Record<string, unknown>;
  const c = (j["config"] && typeof j["config"] === "object" ? j["config"] : {}) as Record<string, unknown>;
  const strs = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
  const out: ImageConfig = { volumes: Object.keys((c["Volumes"] as object | null) ?? {}).sort(), env: strs(c["Env"]) ?? [] };
  if (typeof j["architecture"] === "string") out.architecture = j["architecture"];
  if (typeof j["os"] === "string") out.os = j["os"];
  const ep = strs(c["Entrypoint"]);
  if (ep) out.entrypoint = ep;
  const cmd = strs(c["Cmd"]);
  if (cmd) out.cmd = cmd;
  if (typeof c["WorkingDir"] === "string" && c["WorkingDir"]) out.workingDir = c["WorkingDir"];
  if (typeof c["User"] === "string" && c["User"]) out.user = c["User"];
  return out;
}

const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [
    /manifest unknown|name unknown|repository name not known|not found: manifest/i,
    () => "the registry has no such image or tag. Check the name and tag (skopeo list-tags docker://REPOSITORY lists the tags).",
  ],
  [
    /unauthorized|authentication required|invalid username\/password|denied: requested access/i,
    () => "the registry refused the credentials (or needs some). Check auth.username/auth.password or auth.authfile.",
  ],
  [/server gave HTTP response to HTTPS client/, () => "the registry speaks plain HTTP. Set tls_verify = false for it."],
  [/x509:|certificate signed by unknown authority|tls: /i, () => "the registry's TLS certificate is not trusted. Install its CA on the node, or set tls_verify = false."],
  [/connection refused|no such host|i\/o timeout|network is unreachable|dial tcp/i, () => "the registry cannot be reached. Check the registry address and the node's network."],
  [
    /no image found in image index for architecture ([\w-]+)|choosing image instance: no image found.*architecture ([\w-]+)/i,
    (m) => `the image has no variant for architecture ${m[1] ?? m[2]}. Set platform to one the image provides.`,
  ],
  [/invalid reference format/i, () => "skopeo cannot parse the reference. Write it as REGISTRY/NAME:TAG or NAME@sha256:DIGEST."],
];

/** One line naming the resource and the reference, saying what to do. */
export function explainSkopeoError(stderr: string, address: string, reference: string): string {
  for (const [re, msg] of PATTERNS) {
    const m = re.exec(stderr);
    if (m) return `${address}: ${reference}: ${msg(m)}`;
  }
  const last = stderr
    .trim()
    .split("\n")
    .filter(Boolean)
    .slice(-2)
    .join(" ")
    .replace(/^time="[^"]*" level=\w+ msg="?/, "");
  return `${address}: ${reference}: skopeo failed: ${last || "no error text"}`;
}
