// A killed pull's temporary archive is recognised by pmxform's own naming only (pure): the name
// a pull writes is accepted, a finished archive or any other path is not.
import { describe, expect, it } from "vitest";
import { ociImage } from "../../../providers/oci/image.js";
import { isPullTemporary, pullTemporaryPath } from "../../../providers/oci/pull-temp.js";
import { parseReference, templateFileName, userFileName, type ImageRef } from "../../../providers/oci/reference.js";

const D = "sha256:" + "ab".repeat(32);
const CACHE = "/var/lib/vz/template/cache";

describe("pull temporary files", () => {
  it("accepts what a pull writes, for generated and user file names, on any template storage", () => {
    const generated = `${CACHE}/${templateFileName(parseReference("ghcr.io/org/app:1.2") as ImageRef, "amd64", D)}`;
    for (const archive of [generated, `${CACHE}/${userFileName("my-app_1.0")}`, `/mnt/pve/nfs-tpl/template/cache/${userFileName("x")}`]) {
      expect(isPullTemporary(pullTemporaryPath(archive))).toBe(true);
    }
  });

  it.each([
    [`${CACHE}/app.tar`, "a finished archive"],
    [`${CACHE}/app.tar.zst`, "a finished template"],
    [`${CACHE}/app.tmp`, "not an archive name"],
    ["template/cache/app.tar.tmp", "relative"],
    [`${CACHE}/../../../../etc/app.tar.tmp`, "escapes the directory"],
    [`${CACHE}/./app.tar.tmp`, "not normalised"],
    ["/var/lib/vz/images/app.tar.tmp", "not a template directory"],
    ["/etc/passwd", "anything else"],
    [`${CACHE}/a b.tar.tmp`, "a name pmxform never writes"],
    [`${CACHE}/app.tar.tmp\n/etc/passwd`, "two lines"],
  ])("refuses %s (%s)", (path) => {
    expect(isPullTemporary(path)).toBe(false);
  });

  it("makes oci_image describe a pull intent's temporary file as its leftover, and nothing else", () => {
    const file = pullTemporaryPath(`${CACHE}/app.tar`);
    expect(ociImage.leftover?.({ operation: "pull", node: "pve1", file })).toBe(`the temporary archive pve1:${file} of an interrupted image pull`);
    expect(ociImage.leftover?.({ operation: "pull", node: "pve1", file: `${CACHE}/app.tar` })).toBeUndefined();
    expect(ociImage.leftover?.({ operation: "delete", node: "pve1", file })).toBeUndefined();
    expect(ociImage.leftover?.({ operation: "pull", node: "pve1" })).toBeUndefined();
  });
});
