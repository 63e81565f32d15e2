// Volume ids (`storage:volname`), template volids and the `STORAGE:N` new-volume syntax.

export interface VolumeId {
  storage: string;
  volname: string;
}

export function parseVolumeId(volid: string): VolumeId | undefined {
  const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.exec(volid);
  return m ? { storage: m[1]!, volname: m[2]! } : undefined;
}

/** `local-lvm:8` or `local:0.5`: a request to allocate a new volume of N GiB. */
export function parseAllocation(volume: string): { storage: string; gib: number } | undefined {
  const m = /^([^:\s]+):(\d+(?:\.\d+)?)$/.exec(volume);
  return m ? { storage: m[1]!, gib: Number(m[2]) } : undefined;
}

export type MountKind = "volume" | "bind" | "device";

/** How an mp/rootfs volume part is interpreted: storage volume, host path bind, or /dev device. */
export function mountKind(volume: string): MountKind {
  if (volume.startsWith("/dev/")) return "device";
  if (volume.startsWith("/")) return "bind";
  return "volume";
}

export interface TemplateName {
  file: string;
  /** `tar`, `tar.gz`, `tar.xz`, `tar.zst`, `tar.bz2` */
  ext: string;
}

/** `vztmpl/<file>` with a template archive extension. */
export function parseTemplateVolname(volname: string): TemplateName | undefined {
  const m = /^vztmpl\/([^/]+\.(tar|tar\.(?:gz|xz|zst|bz2)))$/.exec(volname);
  return m ? { file: m[1]!, ext: m[2]! } : undefined;
}

/** ostype guessed from a template file name (`debian-12-standard_...` -> debian). */
export function ostypeFromTemplateName(file: string): string | undefined {
  const m = /^(debian|devuan|ubuntu|centos|fedora|opensuse|archlinux|alpine|gentoo|nixos|rockylinux|almalinux)[-_]/.exec(file);
  if (!m) return undefined;
  const id = m[1]!;
  return id === "rockylinux" || id === "almalinux" ? "centos" : id;
}

/** Which CT a volume name belongs to (`vm-100-disk-0`, `100/vm-100-disk-0.raw`, `subvol-100-disk-1`). */
export function volumeOwner(volname: string): number | undefined {
  const m = /(?:^|\/)(?:vm|subvol|base)-(\d+)-/.exec(volname);
  return m ? Number(m[1]) : undefined;
}
