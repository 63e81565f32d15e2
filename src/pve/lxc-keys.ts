// Which raw `lxc.*` config lines Proxmox accepts (Config.pm is_valid_lxc_conf_key), as facts.

const ALLOWED = new Set(
  (
    "apparmor.allow_incomplete apparmor.allow_nesting apparmor.profile apparmor.raw arch autodev cap.drop cap.keep " +
    "console.logfile console.path devtty.dir environment environment.hooks environment.runtime group hook.autodev " +
    "hook.clone hook.destroy hook.mount hook.post-stop hook.pre-mount hook.pre-start hook.start hook.stop hook.version " +
    "idmap include init.cmd init.cwd init.gid init.groups init.uid kmsg log.file log.level mount.auto mount.entry " +
    "mount.fstab pty.max rootfs.mount seccomp.notify.cookie seccomp.notify.proxy seccomp.profile selinux.context " +
    "signal.halt signal.reboot signal.stop start.auto start.delay start.order sysctl.fs.mqueue sysctl.kernel.msgmax " +
    "sysctl.kernel.msgmnb sysctl.kernel.msgmni sysctl.kernel.sem sysctl.kernel.shm_rmid_forced sysctl.kernel.shmall " +
    "sysctl.kernel.shmmax sysctl.kernel.shmmni tty.max uts.name"
  )
    .split(" ")
    .map((k) => `lxc.${k}`),
);

const REJECTED: Record<string, string> = {
  "lxc.rootfs.path": "lxc.rootfs.path is auto generated from rootfs",
  "lxc.rootfs.options": 'lxc.rootfs.options is not supported, please use mount point options in the "rootfs" key',
};

const RENAMED: Record<string, string> = {
  "lxc.aa_allow_incomplete": "lxc.apparmor.allow_incomplete",
  "lxc.aa_profile": "lxc.apparmor.profile",
  "lxc.console": "lxc.console.path",
  "lxc.devttydir": "lxc.tty.dir",
  "lxc.haltsignal": "lxc.signal.halt",
  "lxc.id_map": "lxc.idmap",
  "lxc.init_cmd": "lxc.init.cmd",
  "lxc.logfile": "lxc.log.file",
  "lxc.loglevel": "lxc.log.level",
  "lxc.mount": "lxc.mount.fstab",
  "lxc.pts": "lxc.pty.max",
  "lxc.rebootsignal": "lxc.signal.reboot",
  "lxc.se_context": "lxc.selinux.context",
  "lxc.stopsignal": "lxc.signal.stop",
  "lxc.tty": "lxc.tty.max",
  "lxc.utsname": "lxc.uts.name",
};

export type LxcKeyVerdict = { keep: true; warning?: string } | { keep: false; warning: string };

export function checkLxcKey(vmid: string, key: string, line: string): LxcKeyVerdict {
  if (key.startsWith("lxc.limit.")) return { keep: true, warning: `vm ${vmid} - ${key}: lxc.limit.* was renamed to lxc.prlimit.*` };
  const renamed = RENAMED[key] ?? (key.startsWith("lxc.network.") ? key.replace("lxc.network.", "lxc.net.INDEX.") : undefined);
  if (renamed) return { keep: true, warning: `vm ${vmid} - ${key} is deprecated and was renamed to ${renamed}` };
  const rejected = REJECTED[key];
  if (rejected) return { keep: false, warning: `vm ${vmid} - ${key}: ${rejected}` };
  if (ALLOWED.has(key)) return { keep: true };
  if (key.startsWith("lxc.cgroup.")) return { keep: true, warning: `vm ${vmid} - ${key} is deprecated, this will be a hard error in the future!` };
  if (/^lxc\.(?:cgroup2|prlimit|net)\./.test(key)) return { keep: true };
  return { keep: false, warning: `vm ${vmid} - unable to parse config: ${line}` };
}
