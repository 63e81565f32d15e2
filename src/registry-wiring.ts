// The composition root's provider wiring, kept out of cli.ts so verbs that need no provider
// (--version, --help, sim) never load one.
import { ProviderRegistry } from "./provider/registry.js";

export async function buildRegistry(): Promise<ProviderRegistry> {
  const { proxmoxProvider } = await import("../providers/index.js");
  return new ProviderRegistry().add(proxmoxProvider());
}
