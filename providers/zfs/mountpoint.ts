// Where a dataset is mounted when nothing sets its mountpoint: ZFS derives it from the nearest
// ancestor's (libzfs zfs_prop_get ZFS_PROP_MOUNTPOINT: the ancestor's path plus the rest of the
// name; "none"/"legacy" as is). Pure.
import { Unknown } from "../../src/config/value.js";
/** What this needs of a node's datasets (snapshot.ts ZfsNodeView), structurally: no import cycle. */
interface Datasets {
  datasets: ReadonlyMap<string, { props: ReadonlyMap<string, { value: string }> }>;
}

const parentOf = (name: string): string | undefined => (name.includes("/") ? name.slice(0, name.lastIndexOf("/")) : undefined);

/** The mountpoint a dataset inherits: its nearest existing ancestor's plus the rest of the name. */
export function inheritedMountpoint(view: Datasets | undefined, name: string): string | Unknown {
  if (!view) return new Unknown("string");
  for (let p = parentOf(name); p !== undefined; p = parentOf(p)) {
    const d = view.datasets.get(p);
    if (!d) continue;
    const mp = d.props.get("mountpoint")?.value;
    if (mp === undefined) return new Unknown("string");
    if (mp === "none" || mp === "legacy") return mp;
    return (mp === "/" ? "" : mp) + name.slice(p.length);
  }
  return new Unknown("string");
}
