// Built-in zfs_dataset profiles: a property set per kind of data, each value with the reason it is
// chosen. A profile is a starting point: the dataset's own `properties` win key by key. Tengil has
// profiles of the same names (prior-art.md §1.3); these were re-derived from what OpenZFS
// documents (zfsprops.7), not copied (Tengil's media profile disables compression while its
// README says lz4).

export interface ProfileProp {
  value: string;
  why: string;
}

export interface Profile {
  name: string;
  summary: string;
  props: Readonly<Record<string, ProfileProp>>;
}

const p = (value: string, why: string): ProfileProp => ({ value, why });

const atimeOff = p("off", "nothing reads access times; every read would otherwise write metadata");
const xattrSa = p("sa", "extended attributes in the inode: one I/O instead of a hidden directory (Samba and ACLs use them)");
const aclPosix = p("posix", "POSIX ACLs, which Samba's vfs_acl_xattr, NFSv3 clients and containers understand");

export const PROFILES: readonly Profile[] = [
  {
    name: "media",
    summary: "films, series and music: large files written once, read sequentially",
    props: {
      recordsize: p("1M", "large sequential files: fewer blocks, less metadata, faster streaming"),
      compression: p("lz4", "already-compressed video gains nothing, and lz4 gives up on incompressible blocks almost for free"),
      atime: atimeOff,
      xattr: xattrSa,
      primarycache: p("metadata", "a film is read once; caching its data evicts what is read again"),
    },
  },
  {
    name: "photos",
    summary: "photo libraries: medium-size files, thumbnails, sidecar files",
    props: {
      recordsize: p("1M", "JPEG/RAW files are megabytes; large records keep metadata small"),
      compression: p("lz4", "sidecar files and thumbnails compress, images do not: lz4 costs little either way"),
      atime: atimeOff,
      xattr: xattrSa,
      acltype: aclPosix,
    },
  },
  {
    name: "documents",
    summary: "office files shared with Windows and macOS clients",
    props: {
      recordsize: p("128K", "mixed small and medium files: the default record size fits"),
      compression: p("zstd", "documents compress well; zstd's default level gives a better ratio than lz4 at a modest CPU cost"),
      atime: atimeOff,
      xattr: xattrSa,
      acltype: aclPosix,
      casesensitivity: p("mixed", "SMB clients expect case-insensitive names; mixed lets Samba ask for either (creation only)"),
      normalization: p("formD", "one Unicode form for names typed on macOS and Windows (creation only; implies utf8only)"),
      utf8only: p("on", "required with normalization (creation only)"),
    },
  },
  {
    name: "backups",
    summary: "backup archives and vzdump files: large, written sequentially, rarely read",
    props: {
      recordsize: p("1M", "large sequential writes"),
      compression: p("zstd", "backups are written once and kept long: the better ratio pays for its CPU"),
      atime: atimeOff,
      sync: p("standard", "a backup must be on disk when the tool says it is; never disabled"),
      primarycache: p("metadata", "backup data is rarely read back; do not let it push live data out of the ARC"),
    },
  },
  {
    name: "appdata",
    summary: "application configuration and state (containers' /config): many small files",
    props: {
      recordsize: p("128K", "small files and SQLite databases of apps: the default fits"),
      compression: p("lz4", "fast, and config files compress"),
      atime: atimeOff,
      xattr: xattrSa,
      acltype: aclPosix,
    },
  },
  {
    name: "database",
    summary: "PostgreSQL/MariaDB data directories",
    props: {
      recordsize: p("16K", "matches InnoDB's 16K pages and stays close to PostgreSQL's 8K: no read-modify-write of large records"),
      compression: p("lz4", "pages compress; lz4 keeps latency low"),
      atime: atimeOff,
      xattr: xattrSa,
      logbias: p("throughput", "the database's own WAL gives durability; large writes skip the ZIL double write"),
      primarycache: p("metadata", "the database has its own buffer cache; caching data twice wastes memory"),
    },
  },
  {
    name: "vm-disks",
    summary: "disk images (raw/qcow2 files) of virtual machines",
    props: {
      recordsize: p("64K", "disk images see random I/O; 64K balances throughput and read-modify-write"),
      compression: p("lz4", "unused space in images compresses to nothing"),
      atime: atimeOff,
      sync: p("standard", "guests rely on flushes reaching disk"),
    },
  },
  {
    name: "ai-models",
    summary: "model weights (GGUF, safetensors): very large files, read sequentially, loaded often",
    props: {
      recordsize: p("1M", "multi-gigabyte files read from start to end"),
      compression: p("off", "quantised weights do not compress; skip the attempt"),
      atime: atimeOff,
      primarycache: p("all", "models are reloaded often: keep them in the ARC when memory allows"),
    },
  },
  {
    name: "downloads",
    summary: "a download/scratch area: large files that come and go",
    props: {
      recordsize: p("1M", "large files written sequentially"),
      compression: p("lz4", "cheap; archives are skipped quickly"),
      atime: atimeOff,
      sync: p("disabled", "scratch data can be downloaded again; losing the last seconds on power loss is acceptable"),
    },
  },
  {
    name: "general",
    summary: "anything else: ZFS's defaults with access times off and modern attributes",
    props: {
      compression: p("lz4", "almost always a win"),
      atime: atimeOff,
      xattr: xattrSa,
    },
  },
];

export const PROFILE: ReadonlyMap<string, Profile> = new Map(PROFILES.map((x) => [x.name, x]));
export const PROFILE_NAMES = PROFILES.map((x) => x.name) as [string, ...string[]];
