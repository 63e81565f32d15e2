// The new verbs' bad input through the CLI: `show -html` without a plan file or with `-json`,
// `ui --port` that is not a port, and a port already taken. Each is a diagnostic and exit 1.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, Workdir } from "../e2e/helpers.js";

describe.skipIf(!BUILT)(`show -html and ui refuse bad input${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir("pmx-ui-flags-");
  });
  afterAll(() => w.remove());

  it("show -html needs a plan file and is not combined with -json", async () => {
    const none = await w.run("show", "-html");
    expect(none.code).toBe(1);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain("-html reports a saved plan");
    const both = await w.run("show", "-html", "-json", "plan.out");
    expect(both.code).toBe(1);
    expect(both.stdout).toContain('"errored": true');
    const missing = await w.run("show", "-html", "nope.out");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Failed to load the saved plan");
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it("ui refuses a port that is not one, and a port in use", async () => {
    for (const port of ["abc", "-1", "70000", "1.5"]) {
      const r = await w.run("ui", "--no-open", "--port", port);
      expect(r.code, port).toBe(1);
      expect(r.stderr + r.stdout).toContain("Invalid --port");
    }
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await w.run("ui", "--no-open", "--port", String(port));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
    } finally {
      taken.close();
    }
  });
});
