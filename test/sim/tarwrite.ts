// Minimal ustar writer for building OCI layout fixtures inside tests.
import { createHash } from "node:crypto";

function header(name: string, size: number, type = "0", linkname = ""): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  h.write("00000000000\0", 136);
  h.write("        ", 148);
  h.write(type, 156);
  h.write(linkname, 157, 100);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

export interface TarFile {
  name: string;
  data?: Buffer | string;
  type?: string;
  linkname?: string;
}

export function writeTar(files: TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const data = f.data === undefined ? Buffer.alloc(0) : Buffer.from(f.data);
    parts.push(header(f.name, data.length, f.type, f.linkname));
    parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function sha256(b: Buffer | string): string {
  return createHash("sha256").update(b).digest("hex");
}

/** An OCI layout archive as skopeo writes it: oci-layout, index.json, blobs/sha256/*. */
export function ociArchive(config: Record<string, unknown>, layer: Buffer, configMediaType = "application/vnd.oci.image.config.v1+json"): Buffer {
  const cfg = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: configMediaType, digest: `sha256:${sha256(cfg)}`, size: cfg.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: `sha256:${sha256(layer)}`, size: layer.length }],
    }),
  );
  const index = JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${sha256(manifest)}`, size: manifest.length }] });
  return writeTar([
    { name: "blobs/", type: "5" },
    { name: "blobs/sha256/", type: "5" },
    { name: `blobs/sha256/${sha256(cfg)}`, data: cfg },
    { name: `blobs/sha256/${sha256(layer)}`, data: layer },
    { name: `blobs/sha256/${sha256(manifest)}`, data: manifest },
    { name: "index.json", data: index },
    { name: "oci-layout", data: '{"imageLayoutVersion": "1.0.0"}' },
  ]);
}
