import { describe, expect, it, vi } from "vitest";
import { fastSimInit, normaliseArgv } from "../src/cli.js";

describe("normaliseArgv", () => {
  it("accepts Terraform's single-dash long flags", () => {
    expect(normaliseArgv(["plan", "-out=plan.out", "-auto-approve", "-var", "x=1", "-f", "a.hcl"])).toEqual(["plan", "--out=plan.out", "--auto-approve", "--var", "x=1", "-f", "a.hcl"]);
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
    // A flag absent from argv is false; an absent valued option is unset (toEqual treats undefined as missing).
    const declared = Object.fromEntries(init.options.map((o) => [o.attributeName(), o.defaultValue ?? (o.isBoolean() ? false : undefined)]));
    expect(fastSimInit(["sim", "init", "d"])?.opts).toEqual(declared);
    expect(fastSimInit(["sim", "init", "d", "--zfs-pool", "tank", "--zfs-pool", "media"])?.opts["zfsPool"]).toEqual(["tank", "media"]);
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

describe("help and flag mistakes", () => {
  /** Runs the CLI in process and collects what it writes. */
  async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { main } = await import("../src/cli.js");
    let stdout = "";
    let stderr = "";
    const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    try {
      return { code: await main(argv), stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }
  const verbs = [
    ["validate"],
    ["fmt"],
    ["plan"],
    ["apply"],
    ["destroy"],
    ["show"],
    ["import"],
    ["state", "list"],
    ["state", "show"],
    ["state", "rm"],
    ["state", "mv"],
    ["output"],
    ["graph"],
    ["force-unlock"],
    ["sim", "init"],
    ["audit", "verify"],
    ["audit", "list"],
    ["approve"],
    ["mcp"],
  ];

  it("every verb prints its usage with --help", async () => {
    for (const verb of verbs) {
      const r = await capture([...verb, "--help"]);
      expect(r.code, verb.join(" ")).toBe(0);
      expect(r.stdout).toContain(`Usage: pmxform ${verb.join(" ")} [options]`);
      expect(r.stderr).toBe("");
    }
  });

  it("a misspelt flag gets a did-you-mean and the verb's own help command, never a stack trace", async () => {
    for (const verb of verbs) {
      const r = await capture([...verb, "--hepl"]);
      expect(r.code, verb.join(" ")).toBe(1);
      expect(r.stderr).toBe(`error: unknown option '--hepl'\n(Did you mean --help?)\n(run pmxform ${verb.join(" ")} --help for usage)\n`);
    }
    expect((await capture(["plan", "--destory"])).stderr).toContain("(Did you mean --destroy?)");
    expect((await capture(["output", "-jsn"])).stderr).toContain("(Did you mean --json?)");
    const verb = await capture(["aply"]);
    expect(verb.stderr).toBe("error: unknown command 'aply'\n(Did you mean apply?)\n(run pmxform --help for usage)\n");
  });

  it("refuses a --parallelism that is not a whole number of 1 or more, on plan too", async () => {
    for (const [verb, value] of [
      ["plan", "abc"],
      ["plan", "0"],
      ["apply", "1.5"],
      ["destroy", "-2"],
    ] as const) {
      const r = await capture([verb, "--parallelism", value]);
      expect(r.code, `${verb} ${value}`).toBe(1);
      expect(r.stderr).toContain(`argument '${value}' is invalid. A whole number of 1 or more is required.`);
    }
  });

  it("refuses a --refresh value that is not true or false instead of reading it as true", async () => {
    const r = await capture(["plan", "--refresh", "maybe"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("argument 'maybe' is invalid. Allowed choices are true, false.");
  });
});
