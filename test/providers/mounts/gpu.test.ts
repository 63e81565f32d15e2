// GPU expansion (devN and the legacy raw lines), the node device read and the missing-device check.
import { describe, expect, it } from "vitest";
import { gpuDevicePaths, gpuDevices, legacyGpuLines, missingGpuDeviceIssues, nvidiaCapsPresent } from "../../../providers/mounts/gpu.js";
import { candidateDevicePaths, deviceStatArgv, parseDeviceStat } from "../../../providers/mounts/host-devices.js";

/** GNU stat -c '%n|%F|%t|%T' on a node with one Intel GPU and the NVIDIA driver (recorded form). */
const STAT = [
  "/dev/dri/card0|character special file|e2|0",
  "/dev/dri/renderD128|character special file|e2|80",
  "/dev/nvidia0|character special file|c3|0",
  "/dev/nvidiactl|character special file|c3|ff",
  "/dev/nvidia-uvm|character special file|1fc|0",
  "/dev/nvidia-uvm-tools|character special file|1fc|1",
  "/dev/nvidia-caps/nvidia-cap1|character special file|ec|1",
  "/dev/nvidia-caps/nvidia-cap2|character special file|ec|2",
  "/dev/nvidia-modeset|regular file|0|0",
  "",
].join("\n");

describe("gpu", () => {
  const devices = parseDeviceStat(STAT);

  it("reads character devices with their hex numbers, skipping other files", () => {
    expect(devices.get("/dev/dri/renderD128")).toEqual({ major: 226, minor: 128 });
    expect(devices.get("/dev/nvidia-uvm")).toEqual({ major: 508, minor: 0 });
    expect(devices.has("/dev/nvidia-modeset")).toBe(false);
    const argv = deviceStatArgv();
    expect(argv.slice(0, 3)).toEqual(["stat", "-c", "%n|%F|%t|%T"]);
    expect(argv.slice(3)).toEqual(candidateDevicePaths());
    expect(argv).toContain("/dev/dri/renderD191");
  });

  it("expands each vendor to its device nodes (devN entries unless legacy)", () => {
    expect(gpuDevicePaths({ vendor: "amd", index: 1, render_only: true })).toEqual(["/dev/dri/renderD129"]);
    expect(gpuDevicePaths({ vendor: "nvidia" })?.[0]).toBe("/dev/nvidia0");
    expect(gpuDevices({ vendor: "intel", gid: 104 })).toEqual({
      "gpu.dri.card0": { path: "/dev/dri/card0", gid: 104, mode: "0660" },
      "gpu.dri.renderD128": { path: "/dev/dri/renderD128", gid: 104, mode: "0660" },
    });
    expect(gpuDevices({ vendor: "intel", legacy: true })).toEqual({});
  });

  it("writes the legacy recipe with the node's device numbers", () => {
    expect(legacyGpuLines({ vendor: "intel", legacy: true }, undefined)).toEqual([
      "lxc.cgroup2.devices.allow: c 226:0 rwm",
      "lxc.cgroup2.devices.allow: c 226:128 rwm",
      "lxc.mount.entry: /dev/dri/card0 dev/dri/card0 none bind,optional,create=file",
      "lxc.mount.entry: /dev/dri/renderD128 dev/dri/renderD128 none bind,optional,create=file",
    ]);
    const nv = legacyGpuLines({ vendor: "nvidia", legacy: true }, devices)!;
    expect(nv).toContain("lxc.cgroup2.devices.allow: c 508:1 rwm");
    expect(nv).toContain("lxc.mount.entry: /dev/nvidia-uvm dev/nvidia-uvm none bind,optional,create=file");
    // nvidia-uvm's major is dynamic: without the node's numbers there are no lines to write.
    expect(legacyGpuLines({ vendor: "nvidia", legacy: true }, undefined)).toBeUndefined();
  });

  it("passes the nvidia-caps nodes only when the node has them (or, unread, the container already does)", () => {
    const withoutCaps = parseDeviceStat(
      STAT.split("\n")
        .filter((l) => !l.includes("nvidia-caps"))
        .join("\n"),
    );
    expect(nvidiaCapsPresent(devices)).toEqual(["/dev/nvidia-caps/nvidia-cap1", "/dev/nvidia-caps/nvidia-cap2"]);
    expect(nvidiaCapsPresent(withoutCaps)).toEqual([]);
    // The node's answer wins over what the container passed before.
    expect(nvidiaCapsPresent(withoutCaps, ["/dev/nvidia-caps/nvidia-cap1"])).toEqual([]);
    expect(nvidiaCapsPresent(undefined, ["/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap2"])).toEqual(["/dev/nvidia-caps/nvidia-cap2"]);
    expect(gpuDevicePaths({ vendor: "nvidia", index: 1 }, nvidiaCapsPresent(withoutCaps))).toEqual(["/dev/nvidia1", "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"]);
    expect(Object.keys(gpuDevices({ vendor: "nvidia" }, ["/dev/nvidia-caps/nvidia-cap1"]))).toContain("gpu.nvidia-caps.nvidia-cap1");
    expect(missingGpuDeviceIssues({ vendor: "nvidia" }, "pve1", withoutCaps)).toEqual([]);
    const legacy = legacyGpuLines({ vendor: "nvidia", legacy: true }, withoutCaps)!;
    expect(legacy).toHaveLength(8);
    expect(legacy.join("\n")).not.toContain("nvidia-caps");
    expect(legacyGpuLines({ vendor: "nvidia", legacy: true }, devices)).toContain("lxc.cgroup2.devices.allow: c 236:2 rwm");
  });

  it("names the node and the missing device nodes", () => {
    expect(missingGpuDeviceIssues({ vendor: "intel" }, "pve1", devices)).toEqual([]);
    const [issue] = missingGpuDeviceIssues({ vendor: "intel", index: 1 }, "pve1", devices);
    expect(issue?.path).toEqual(["gpu", "index"]);
    expect(issue?.detail).toMatch(/^Node pve1 has no \/dev\/dri\/card1, \/dev\/dri\/renderD129 .*the node has \/dev\/dri\/card0, \/dev\/dri\/renderD128/);
    const [nv] = missingGpuDeviceIssues({ vendor: "nvidia" }, "pve2", parseDeviceStat(STAT.split("\n").slice(0, 2).join("\n")));
    expect(nv?.detail).toMatch(/^Node pve2 has no \/dev\/nvidia0, \/dev\/nvidiactl, .*Install the NVIDIA driver/);
    // A node that could not be read is not checked.
    expect(missingGpuDeviceIssues({ vendor: "nvidia" }, "pve3", undefined)).toEqual([]);
  });
});
