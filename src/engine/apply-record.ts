// Apply phase, state saving: what a finished operation writes. A created or updated object
// becomes the entry (and the value references see from now on); a destroyed one leaves the
// state; each is saved at once, so a crash after any operation loses nothing that was done.
import type { Value } from "../config/value.js";
import type { Change } from "../plan/change.js";
import type { Attrs, AttrPath, ResourceType } from "../provider/types.js";
import { parseAddress } from "./address.js";
import type { Session } from "./session.js";
import type { StateHolder } from "./state-holder.js";

export class ApplyRecorder {
  constructor(
    private readonly session: Session,
    readonly state: StateHolder,
  ) {}

  /** The object the change created or updated is now the entry for its address (not yet saved). */
  record(c: Change, type: ResourceType, attrs: Attrs, sensitivePaths: AttrPath[]): void {
    const p = parseAddress(c.address)!;
    this.state.upsert({
      address: c.address,
      type: c.type,
      name: p.name,
      ...(p.key !== undefined ? { index: p.key } : {}),
      ...(p.module ? { module: p.module } : {}),
      provider: this.session.registry.providerOf(type.type)?.name ?? "proxmox",
      attributes: attrs,
      sensitive_attributes: sensitivePaths,
      dependencies: c.dependencies,
    });
    const decl = this.session.module.resources.get(p.decl);
    if (decl) this.session.evaluation.setInstanceAttributes(decl, p.key, type, attrs as Value, false, sensitivePaths);
  }

  /** Records and saves. */
  async saved(c: Change, type: ResourceType, attrs: Attrs, sensitivePaths: AttrPath[]): Promise<void> {
    this.record(c, type, attrs, sensitivePaths);
    await this.state.save();
  }

  /** The change's object is destroyed: its entry (or its deposed record) goes, saved at once. */
  async destroyed(c: Change): Promise<void> {
    if (c.deposedKey) this.state.dropDeposed(c.address, c.deposedKey);
    else this.state.remove(c.address);
    await this.state.save();
  }

  save(): Promise<void> {
    return this.state.save();
  }
}
