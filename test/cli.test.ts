import { describe, expect, it, vi } from "vitest";
import { fastSimInit, normaliseArgv } from "../src/cli.js";

describe("normaliseArgv", () => {
  it("accepts Terraform's single-dash long flags", () => {
    expect(normaliseArgv(["plan", "-out=plan.out", "-auto-approve", "-var", "x=1", "-f", "a.hcl"])).toEqual([
      "plan",
      "--out=plan.out",
      "--auto-approve",
      "--var",
      "x=1",
      "-f",
      "a.hcl",
    ]);
  });
  it("leaves everything after -- alone", () => {
    expect(normaliseArgv(["x", "--", "-keep"])).toEqual(["x", "--", "-keep"]);
  });
});

describe("fastSimInit", () => {
  it("parses the sim init flags the command table declares, with the same defaults", () => {
    expect(fastSimInit(["sim", "init", "d"])).toEqual({ opts: { nodes: "pve1", latencyMs: "0", force: false }, args: ["d"] });
    expect(fastSimInit(normaliseArgv(["sim", "init", "-nodes=a,b", "--latency-ms", "300", "-force", "d"]))).toEqual({
      opts: { nodes: "a,b", latencyMs: "300", force: true },
      args: ["d"],
    });
  });
  it("leaves help, unknown flags, missing or extra arguments and other verbs to commander", () => {
    for (const argv of [["sim", "init", "--help"], ["sim", "init", "d", "--nodez", "a"], ["sim", "init"], ["sim", "init", "a", "b"], ["plan"], ["sim"]]) {
      expect(fastSimInit(argv)).toBeUndefined();
    }
  });
});

describe("fastSimInit and the command table", () => {
  it("know the same sim init options with the same defaults", async () => {
    const { buildProgram } = await import("../src/program.js");
    const init = buildProgram(() => undefined)
      .commands.find((c) => c.name() === "sim")!
      .commands.find((c) => c.name() === "init")!;
    const declared = Object.fromEntries(init.options.map((o) => [o.attributeName(), o.defaultValue ?? false]));
    expect(fastSimInit(["sim", "init", "d"])?.opts).toEqual(declared);
  });
});

describe("--version", () => {
  it("prints package.json's version, by both spellings, without the command table", async () => {
    const { main } = await import("../src/cli.js");
    const { readFileSync } = await import("node:fs");
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      expect(await main(["--version"])).toBe(0);
      expect(await main(["-v"])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual([`${version}\n`, `${version}\n`]);
  });
});
