// Real-component harness for OCI tests: a docker-registry (the distribution registry) on
// 127.0.0.1 with a free port (optionally htpasswd-protected), and small images written by hand as
// OCI layouts and pushed with the real skopeo (dependencies.md §3).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { freePort } from "./net.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sha256, writeTar, type TarFile } from "../sim/tarwrite.js";

const run = promisify(execFile);

const has = (bin: string) => ["/usr/bin", "/usr/local/bin", "/usr/sbin"].some((d) => existsSync(join(d, bin)));
export const HAVE_REGISTRY_TOOLS = has("skopeo") && has("docker-registry");
export const NO_REGISTRY_TOOLS = "skopeo and docker-registry are not installed (apt-get install skopeo docker-registry; scripts/test.sh does)";

/** user "pmx", password "s3cret-Pa55" (bcrypt, cost 5, precomputed so no htpasswd binary is needed). */
export const TEST_USER = "pmx";
export const TEST_PASSWORD = "s3cret-Pa55";
const HTPASSWD = "pmx:$2y$05$Ho.acXrYCH2xr/BqBGDmJuGkDS/caSZViajEsHjvug3MNefMpYZ9q\n";

export interface Registry {
  /** "127.0.0.1:PORT" */
  host: string;
  dir: string;
  stop(): Promise<void>;
}

/** `port` restarts a registry where a stopped one listened (its images must be pushed again). */
export async function startRegistry(opts: { auth?: boolean; port?: number } = {}): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), "pmx-registry-"));
  const port = opts.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const auth = opts.auth ? `auth: { htpasswd: { realm: pmx-test, path: ${join(dir, "htpasswd")} } }\n` : "";
  if (opts.auth) writeFileSync(join(dir, "htpasswd"), HTPASSWD);
  writeFileSync(
    join(dir, "config.yml"),
    `version: 0.1\nlog: { level: error, accesslog: { disabled: true } }\nstorage: { filesystem: { rootdirectory: ${join(dir, "store")} }, delete: { enabled: true } }\nhttp: { addr: "${host}", secret: test-only }\n${auth}`,
  );
  const child: ChildProcess = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const r = await fetch(`http://${host}/v2/`);
      if (r.ok || r.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`docker-registry did not start on ${host}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    dir,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ImageSpec {
  files?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  /** The config's User, e.g. "app" or "1000:1000" (put an etc/passwd into files to resolve names). */
  user?: string;
  volumes?: string[];
  architecture?: string;
}

/** Writes a single-manifest OCI layout directory (uncompressed layer) and returns its path. */
export function writeLayout(parent: string, spec: ImageSpec): string {
  const dir = mkdtempSync(join(parent, "layout-"));
  const files: TarFile[] = [
    { name: "etc/", type: "5" },
    { name: "etc/os-release", data: "ID=alpine\nVERSION_ID=3.22\n" },
  ];
  for (const [name, data] of Object.entries(spec.files ?? {})) files.push({ name, data });
  const layer = writeTar(files);
  const config: Record<string, unknown> = { Env: spec.env ?? ["PATH=/usr/bin:/bin"] };
  if (spec.entrypoint) config["Entrypoint"] = spec.entrypoint;
  if (spec.cmd) config["Cmd"] = spec.cmd;
  if (spec.workingDir) config["WorkingDir"] = spec.workingDir;
  if (spec.user) config["User"] = spec.user;
  if (spec.volumes) config["Volumes"] = Object.fromEntries(spec.volumes.map((v) => [v, {}]));
  const cfg = Buffer.from(JSON.stringify({ architecture: spec.architecture ?? "amd64", os: "linux", config, rootfs: { type: "layers", diff_ids: [`sha256:${sha256(layer)}`] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${sha256(cfg)}`, size: cfg.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: `sha256:${sha256(layer)}`, size: layer.length }],
    }),
  );
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  for (const b of [cfg, layer, manifest]) writeFileSync(join(dir, "blobs", "sha256", sha256(b)), b);
  const index = {
    schemaVersion: 2,
    manifests: [
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${sha256(manifest)}`, size: manifest.length, annotations: { "org.opencontainers.image.ref.name": "latest" } },
    ],
  };
  writeFileSync(join(dir, "index.json"), JSON.stringify(index));
  writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  return dir;
}

/** Builds an image and pushes it to `docker://HOST/NAME:TAG`; returns the manifest digest. */
export async function pushImage(reg: Registry, name: string, tag: string, spec: ImageSpec, opts: { auth?: boolean } = {}): Promise<string> {
  const layout = writeLayout(reg.dir, spec);
  const creds = opts.auth ? ["--dest-creds", `${TEST_USER}:${TEST_PASSWORD}`] : [];
  await run("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", ...creds, `oci:${layout}:latest`, `docker://${reg.host}/${name}:${tag}`]);
  const { stdout } = await run("skopeo", [
    "inspect",
    "--no-tags",
    "--tls-verify=false",
    ...(opts.auth ? ["--creds", `${TEST_USER}:${TEST_PASSWORD}`] : []),
    "--format",
    "{{.Digest}}",
    `docker://${reg.host}/${name}:${tag}`,
  ]);
  rmSync(layout, { recursive: true, force: true });
  return stdout.trim();
}
