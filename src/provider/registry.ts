// The provider registry: resource type name -> implementation. Built by the composition root.
import type { Provider, ResourceType } from "./types.js";

export class ProviderRegistry {
  private readonly types = new Map<string, { provider: Provider; type: ResourceType }>();
  private readonly providers: Provider[] = [];

  add(provider: Provider): this {
    this.providers.push(provider);
    for (const t of provider.resourceTypes) this.types.set(t.type, { provider, type: t });
    return this;
  }

  resourceType(name: string): ResourceType | undefined {
    return this.types.get(name)?.type;
  }

  providerOf(typeName: string): Provider | undefined {
    return this.types.get(typeName)?.provider;
  }

  typeNames(): string[] {
    return [...this.types.keys()].sort();
  }

  all(): Provider[] {
    return [...this.providers];
  }
}
