// `pmxform version [-json]`: as `terraform version`, the version and the platform; -json prints
// the same as one document (Terraform's fields, pmxform's names).
import { pmxformVersion } from "../state/version.js";

export async function run(opts: { json?: boolean }): Promise<number> {
  const platform = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
  if (opts.json) process.stdout.write(JSON.stringify({ pmxform_version: pmxformVersion(), platform, provider_selections: {}, pmxform_outdated: false }, null, 2) + "\n");
  else process.stdout.write(`pmxform v${pmxformVersion()}\non ${platform}\n`);
  return 0;
}
