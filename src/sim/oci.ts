// OCI layout archives as `pct create` treats them (pve-reference §4.2): detection by exact member
// names, index -> first manifest -> config, and the entrypoint/env/cwd/user/signal/ostype mapping.
import { readFileSync } from "node:fs";
import { readTar, type TarEntry } from "./tar.js";
import { SimError } from "./errors.js";
import { resolveOciUser, type OciUser, type RootfsView } from "./oci-user.js";

const perlTrue = (v: string): boolean => v !== "" && v !== "0";

/** zlib is loaded only when a gzip layer is read: importing it costs every simulated call ~2 ms. */
function gunzip(data: Buffer): Buffer {
  return process.getBuiltinModule("node:zlib").gunzipSync(data);
}

export function detectOci(path: string): boolean {
  let names: string[];
  try {
    names = readTar(readFileSync(path)).map((e) => e.name);
  } catch {
    return false;
  }
  return names.includes("oci-layout") && names.includes("index.json") && names.some((n) => n.startsWith("blobs/"));
}

export interface OciImage {
  entrypoint?: string;
  env: string[];
  workingDir?: string;
  /** From the config's `User`, resolved against the image's /etc/passwd and /etc/group. */
  user?: OciUser;
  stopSignal: string;
  volumes: string[];
  ostype?: string;
  arch?: string;
}

/** String::ShellQuote's quoting: words made only of safe characters stay bare. */
export function shellQuote(words: string[]): string {
  return words
    .map((w) => {
      if (w === "") return "''";
      if (!/[^\w!%+,\-./:=@^]/.test(w)) return w;
      return `'${w.replace(/'/g, `'\\''`)}'`;
    })
    .join(" ");
}

interface Descriptor {
  mediaType?: string;
  digest: string;
}

const CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
const ARCH_MAP: Record<string, string> = { amd64: "amd64", arm64: "arm64", "386": "i386", arm: "armhf", riscv64: "riscv64" };

export function readOciImage(path: string): OciImage {
  const entries = readTar(readFileSync(path));
  const byName = new Map(entries.map((e) => [e.name, e]));
  const blob = (d: Descriptor): Buffer => {
    const [alg, hex] = d.digest.split(":");
    const e = byName.get(`blobs/${alg}/${hex}`);
    if (!e) throw new SimError(`OCI blob ${d.digest} missing from archive`);
    return e.data;
  };
  const json = (b: Buffer): Record<string, unknown> => JSON.parse(b.toString("utf8")) as Record<string, unknown>;
  let node = json(byName.get("index.json")!.data);
  // An index may point at another index (multi-arch); the first manifest wins at each level.
  for (let depth = 0; Array.isArray(node["manifests"]) && depth < 4; depth++) {
    const first = (node["manifests"] as Descriptor[])[0];
    if (!first) throw new SimError("OCI index has no manifests");
    node = json(blob(first));
  }
  const configDesc = node["config"] as Descriptor | undefined;
  if (!configDesc) throw new SimError("OCI manifest has no config");
  if (configDesc.mediaType !== CONFIG_TYPE) throw new SimError("Wrong media type");
  const cfgJson = json(blob(configDesc));
  const cfg = (cfgJson["config"] ?? {}) as Record<string, unknown>;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  const noCtl = (what: string, v: string): string => {
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(v)) throw new SimError(`OCI config value for '${what}' contains forbidden control characters!`);
    return v;
  };
  const cmd = [...strings(cfg["Entrypoint"]), ...strings(cfg["Cmd"])];
  const image: OciImage = {
    env: strings(cfg["Env"]).map((e) => noCtl("Env", e)),
    stopSignal: typeof cfg["StopSignal"] === "string" ? noCtl("StopSignal", cfg["StopSignal"]) : "SIGTERM",
    volumes: Object.keys(cfg["Volumes"] ?? {}),
  };
  if (cmd.length && cmd[0] !== "/sbin/init") image.entrypoint = noCtl("Entrypoint", shellQuote(cmd));
  if (typeof cfg["WorkingDir"] === "string" && perlTrue(cfg["WorkingDir"])) image.workingDir = noCtl("WorkingDir", cfg["WorkingDir"]);
  const architecture = String(cfgJson["architecture"] ?? "");
  const arch = Object.hasOwn(ARCH_MAP, architecture) ? ARCH_MAP[architecture] : undefined;
  if (arch) image.arch = arch;
  const files = flattenLayers((node["layers"] as Descriptor[] | undefined) ?? [], blob);
  const root = rootfsView(files);
  // restore_oci_archive: `if (my $userstr = ...)` / `if (my $working_dir = ...)`: Perl truth, so
  // an empty string and "0" are skipped.
  const userstr = typeof cfg["User"] === "string" ? noCtl("User", cfg["User"]) : "";
  if (perlTrue(userstr)) image.user = resolveOciUser(userstr, root);
  const osRelease = findOsRelease(files, root);
  if (osRelease !== undefined) image.ostype = ostypeFromOsRelease(osRelease);
  return image;
}

function layerEntries(d: Descriptor, blob: (d: Descriptor) => Buffer): TarEntry[] {
  const data = blob(d);
  const mt = d.mediaType ?? "";
  if (mt.includes("zstd")) return []; // no zstd in Node 20's zlib: treated as "no os-release here"
  return readTar(mt.includes("gzip") || (data[0] === 0x1f && data[1] === 0x8b) ? gunzip(data) : data);
}

/** The image's layers applied in order (whiteouts remove), as the files of one flattened rootfs. */
function flattenLayers(layers: Descriptor[], blob: (d: Descriptor) => Buffer): Map<string, TarEntry> {
  const files = new Map<string, TarEntry>();
  for (const l of layers) {
    for (const e of layerEntries(l, blob)) {
      const name = e.name.replace(/^\.\//, "").replace(/\/$/, "");
      const base = name.split("/").pop() ?? "";
      if (base.startsWith(".wh.")) files.delete(name.replace(/\.wh\.([^/]+)$/, "$1"));
      else files.set(name, e);
    }
  }
  return files;
}

/** Reads files of the flattened rootfs, following symlinks of the last path component. */
function rootfsView(files: Map<string, TarEntry>): RootfsView {
  return {
    readText(path) {
      for (let name = path, hops = 0; hops < 5; hops++) {
        const e = files.get(name);
        if (!e) return undefined;
        if (e.type !== "2") return e.data.toString("utf8");
        name = e.linkname.startsWith("/") ? e.linkname.slice(1) : new URL(e.linkname, `file:///${name}`).pathname.slice(1);
      }
      return undefined;
    },
    hasDir(dir) {
      const e = files.get(dir);
      if (e) return e.type === "5" || e.type === "2";
      for (const name of files.keys()) if (name.startsWith(`${dir}/`)) return true;
      return false;
    },
  };
}

/** /etc/os-release, else /usr/lib/os-release (only when /etc/os-release is absent altogether). */
function findOsRelease(files: Map<string, TarEntry>, root: RootfsView): string | undefined {
  if (!files.has("etc/os-release")) {
    const e = files.get("usr/lib/os-release");
    return e && e.type !== "2" ? e.data.toString("utf8") : undefined;
  }
  return root.readText("etc/os-release");
}

const OS_IDS: Record<string, string> = {
  debian: "debian",
  devuan: "devuan",
  ubuntu: "ubuntu",
  centos: "centos",
  rocky: "centos",
  almalinux: "centos",
  fedora: "fedora",
  opensuse: "opensuse",
  "opensuse-leap": "opensuse",
  "opensuse-tumbleweed": "opensuse",
  arch: "archlinux",
  archlinux: "archlinux",
  alpine: "alpine",
  gentoo: "gentoo",
  nixos: "nixos",
};

export function ostypeFromOsRelease(text: string): string {
  const id = /^ID=["']?([^"'\n]*)["']?\s*$/m.exec(text)?.[1]?.toLowerCase() ?? "";
  const os = Object.hasOwn(OS_IDS, id) ? OS_IDS[id] : undefined;
  if (!os) throw new SimError("unable to detect OS distribution");
  return os;
}

/** For plain rootfs tarballs: ostype from their etc/os-release, if readable. */
export function osReleaseFromTar(path: string): string | undefined {
  try {
    const e = readTar(readFileSync(path)).find((x) => x.name.replace(/^\.\//, "") === "etc/os-release");
    return e ? ostypeFromOsRelease(e.data.toString("utf8")) : undefined;
  } catch {
    return undefined;
  }
}
