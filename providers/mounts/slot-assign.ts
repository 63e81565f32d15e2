// Which slot (netN, mpN, devN) each named block of the configuration takes when planning: the
// one its name had, a pinned one, or the lowest free. Reading and printing a slot's value is
// slots.ts's; this file is the plan's choice only (desired.ts), so a walk from the configuration
// to pct's argv passes it once, before any value is printed.
type Obj = Record<string, unknown>;

/**
 * Assigns slots to desired named items: the slot the name had before, else a pinned `slot`,
 * else the lowest slot nobody holds (including slots still present in the prior state).
 */
export function assignSlots(desired: Record<string, Obj>, prior: Record<string, { slot: number }> | undefined, max: number): Map<string, number> {
  const out = new Map<string, number>();
  const taken = new Set<number>();
  for (const [name, d] of Object.entries(desired)) {
    const was = prior?.[name]?.slot;
    const pinned = typeof d["slot"] === "number" ? d["slot"] : undefined;
    const slot = pinned ?? was;
    if (slot !== undefined && !taken.has(slot)) {
      out.set(name, slot);
      taken.add(slot);
    }
  }
  const priorSlots = new Set(
    Object.entries(prior ?? {})
      .filter(([n]) => !(n in desired))
      .map(([, p]) => p.slot),
  );
  for (const name of Object.keys(desired)) {
    if (out.has(name)) continue;
    let s = 0;
    while ((taken.has(s) || priorSlots.has(s)) && s <= max) s++;
    out.set(name, s);
    taken.add(s);
  }
  return out;
}
