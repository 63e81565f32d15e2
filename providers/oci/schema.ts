// Schemas of oci_image (an image pulled into template storage) and oci_container (an application
// container created from such an image).
import { z } from "zod";
import { bool, enumOf, listOf, mapOf, pattern, secretLine, str } from "../../src/provider/schema.js";
import { containerShape } from "../lxc/schema.js";

export const ociImageSchema = z.strictObject({
  node: str(),
  storage: str(),
  reference: pattern(/^[a-zA-Z0-9][\w.\-/:]*(@sha256:[0-9a-f]{64})?$/, 'an image reference such as "docker.io/library/nginx:1.29" or "nginx@sha256:..." is required'),
  file_name: pattern(/^[a-zA-Z0-9_.-]+$/, "letters, digits, _ . - only").optional(),
  platform: enumOf(["amd64", "arm64", "386", "arm", "riscv64", "ppc64le", "s390x"] as const).optional(),
  tls_verify: bool().optional(),
  auth: z
    .strictObject({
      authfile: str().optional(),
      username: secretLine("A user name").optional(),
      password: secretLine("A password").optional(),
    })
    .optional(),
});

export const ociContainerSchema = z.strictObject({
  ...containerShape,
  image: pattern(/^[^:\s]+:vztmpl\/\S+\.tar$/, "a volume id of an OCI archive (e.g. oci_image.app.volid) is required"),
  entrypoint: listOf(str()).optional(),
  env: mapOf(str()).optional(),
  cmode: enumOf(["shell", "console", "tty"] as const).optional(),
  working_dir: str().optional(),
  user: secretLine("A user name").optional(),
});

export const ociImageBlocks = { auth: { labelled: false } } as const;
