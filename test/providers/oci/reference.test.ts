// Reference normalisation, template file names and skopeo output/error parsing (pure).
import { describe, expect, it } from "vitest";
import { formatReference, parseReference, templateFileName, userFileName, type ImageRef } from "../../../providers/oci/reference.js";
import { copyArgv, explainSkopeoError, inspectDigestArgv, parseDigest, parseImageConfig } from "../../../providers/oci/skopeo.js";
import { authJson, secretsOf } from "../../../providers/oci/authfile.js";

const D = "sha256:" + "ab".repeat(32);
const ref = (t: string) => parseReference(t) as ImageRef;

describe("parseReference", () => {
  it.each([
    ["nginx:1.29", "docker.io/library/nginx:1.29"],
    ["nginx", "docker.io/library/nginx:latest"],
    ["bitnami/redis:7.2", "docker.io/bitnami/redis:7.2"],
    ["index.docker.io/library/redis", "docker.io/library/redis:latest"],
    ["ghcr.io/org/app/sub:v1.2", "ghcr.io/org/app/sub:v1.2"],
    ["127.0.0.1:5000/pmx/tiny:1.0", "127.0.0.1:5000/pmx/tiny:1.0"],
    ["localhost/app:dev", "localhost/app:dev"],
    [`nginx@${D}`, `docker.io/library/nginx@${D}`],
    [`nginx:1.29@${D}`, `docker.io/library/nginx:1.29@${D}`],
  ])("%s -> %s", (input, full) => {
    expect(formatReference(ref(input))).toBe(full);
  });

  it.each([["Nginx:1"], ["nginx:"], ["nginx@sha256:abc"], ["docker.io/"], ["a//b"]])("rejects %s with a fix", (input) => {
    const r = parseReference(input);
    expect(typeof r).toBe("string");
    expect(r as string).toContain(input);
  });
});

describe("templateFileName", () => {
  it("keeps images of different repositories apart", () => {
    const a = templateFileName(ref("redis:7.2"), "amd64", D);
    const b = templateFileName(ref("bitnami/redis:7.2"), "amd64", D);
    expect(a).toBe("docker.io_library_redis_7.2_amd64_abababababab.tar");
    expect(b).toBe("docker.io_bitnami_redis_7.2_amd64_abababababab.tar");
  });
  it("changes with the digest and the platform, and is a valid vztmpl name", () => {
    const r = ref("127.0.0.1:5000/pmx/app:1");
    const names = new Set([templateFileName(r, "amd64", D), templateFileName(r, "arm64", D), templateFileName(r, "amd64", "sha256:" + "cd".repeat(32))]);
    expect(names.size).toBe(3);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_.-]+\.tar$/);
  });
  it("shortens very long references", () => {
    const long = ref(`registry.example.com/${"a".repeat(100)}/${"b".repeat(100)}:v1`);
    expect(templateFileName(long, "amd64", D).length).toBeLessThan(200);
  });
  it("user file names always end in .tar", () => {
    expect(userFileName("app")).toBe("app.tar");
    expect(userFileName("app.tar")).toBe("app.tar");
  });
});

describe("skopeo argv and output", () => {
  it("builds argv with TLS and auth options, platform as global flags", () => {
    expect(inspectDigestArgv("h:1/a:1", { tlsVerify: false, authfile: "/tmp/x" })).toEqual([
      "skopeo",
      "inspect",
      "--no-tags",
      "--format",
      "{{.Digest}}",
      "--tls-verify=false",
      "--authfile",
      "/tmp/x",
      "docker://h:1/a:1",
    ]);
    expect(copyArgv(`h/a@${D}`, "/t/x.tar.tmp", "arm64", { tlsVerify: true })).toEqual([
      "skopeo",
      "--override-arch",
      "arm64",
      "--override-os",
      "linux",
      "copy",
      "--quiet",
      `docker://h/a@${D}`,
      "oci-archive:/t/x.tar.tmp",
    ]);
  });
  it("parses digests and image configs", () => {
    expect(parseDigest(`${D}\n`)).toBe(D);
    expect(parseDigest("nonsense")).toBeUndefined();
    const cfg = parseImageConfig(
      JSON.stringify({ architecture: "arm64", os: "linux", config: { Env: ["A=1"], Entrypoint: ["/app"], Volumes: { "/var/lib/x": {}, "/data": {} }, WorkingDir: "/srv" } }),
    );
    expect(cfg).toEqual({ architecture: "arm64", os: "linux", env: ["A=1"], entrypoint: ["/app"], volumes: ["/data", "/var/lib/x"], workingDir: "/srv" });
  });
  it.each([
    ["reading manifest 9.9 in 127.0.0.1:5000/pmx/tiny: manifest unknown: manifest unknown", "no such image or tag"],
    ['pinging container registry 127.0.0.1:5000: Get "https://127.0.0.1:5000/v2/": http: server gave HTTP response to HTTPS client', "tls_verify = false"],
    ["reading manifest 1 in h/a: unauthorized: authentication required", "refused the credentials"],
    ['pinging container registry 127.0.0.1:9: Get "http://127.0.0.1:9/v2/": dial tcp 127.0.0.1:9: connect: connection refused', "cannot be reached"],
    ["x509: certificate signed by unknown authority", "not trusted"],
  ])("explains %s", (stderr, expected) => {
    const m = explainSkopeoError(stderr, "oci_image.app", "h/a:1");
    expect(m.startsWith("oci_image.app: h/a:1: ")).toBe(true);
    expect(m).toContain(expected);
  });
  it("auth files hold base64 credentials, and both forms are redacted", () => {
    const c = { username: "u", password: "p@ss" };
    const j = JSON.parse(authJson("r.example:5000", c)) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(j.auths["r.example:5000"]!.auth, "base64").toString()).toBe("u:p@ss");
    expect(secretsOf(c)).toEqual(["p@ss", j.auths["r.example:5000"]!.auth]);
  });
});
