// Host path checks and the unprivileged bind mount warning.
import { describe, expect, it } from "vitest";
import { hostPathIssues, hostPathProblem, unprivilegedBindIssues } from "../../../providers/mounts/validate.js";

describe("mount checks", () => {
  it("accepts absolute normalised host paths and names the fix for others", () => {
    expect(hostPathProblem("/tank/media")).toBeUndefined();
    expect(hostPathProblem("/")).toBeUndefined();
    expect(hostPathProblem("tank/media")).toMatch(/relative/);
    expect(hostPathProblem("/tank/../etc")).toMatch(/write "\/etc"/);
    expect(hostPathProblem("/tank/media/.")).toMatch(/write "\/tank\/media"/);
    expect(hostPathProblem("/tank//media/")).toMatch(/write "\/tank\/media"/);
    const issues = hostPathIssues({ a: { host_path: "/ok", path: "/a" }, b: { host_path: "../x", path: "/b" }, c: { storage: "local-lvm", path: "/c" } });
    expect(issues.map((i) => i.path)).toEqual([["mount", "b", "host_path"]]);
    expect(issues[0]?.severity).toBe("error");
  });

  it("warns about bind mounts without idmap only", () => {
    const issues = unprivilegedBindIssues({ a: { host_path: "/x", path: "/a" }, b: { host_path: "/y", path: "/b", idmap: "passthrough" }, c: { storage: "s", path: "/c" } });
    expect(issues.map((i) => [i.severity, i.path])).toEqual([["warning", ["mount", "a"]]]);
  });
});
