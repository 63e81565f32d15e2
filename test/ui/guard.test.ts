// The web view's guard and confirmation as units: the token (URL, cookie or header), the Host
// and Origin checks against DNS rebinding and other sites, the typed counts, and the history
// reader's tolerance of a missing or partly garbled audit log.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { checkRequest, newSecrets, COOKIE, TOKEN_HEADER } from "../../src/ui/auth.js";
import { confirmationMatches } from "../../src/ui/confirm.js";
import { readHistory } from "../../src/ui/history.js";

const PORT = 41234;
const secrets = newSecrets();

function req(headers: Record<string, string>): IncomingMessage {
  return { headers: { host: `127.0.0.1:${PORT}`, ...headers } } as unknown as IncomingMessage;
}
const url = (q = "") => new URL(`http://127.0.0.1:${PORT}/${q}`);

describe("web view guard", () => {
  it("accepts the token from the URL, the cookie or the header, and nothing else", () => {
    expect(checkRequest(req({}), url(`?token=${secrets.token}`), PORT, secrets)).toEqual({ ok: true, tokenFromUrl: true });
    expect(checkRequest(req({ cookie: `a=b; ${COOKIE}=${secrets.token}` }), url(), PORT, secrets)).toEqual({ ok: true, tokenFromUrl: false });
    expect(checkRequest(req({ [TOKEN_HEADER]: secrets.token }), url(), PORT, secrets)).toEqual({ ok: true, tokenFromUrl: false });
    expect(checkRequest(req({}), url(), PORT, secrets).ok).toBe(false);
    expect(checkRequest(req({ cookie: `${COOKIE}=${secrets.token.slice(1)}` }), url(), PORT, secrets).ok).toBe(false);
    expect(checkRequest(req({}), url(`?token=${secrets.csrf}`), PORT, secrets).ok).toBe(false);
    expect(newSecrets().token).not.toBe(secrets.token);
  });

  it("refuses another Host (DNS rebinding), another Origin and cross-site requests even with the token", () => {
    const h = { [TOKEN_HEADER]: secrets.token };
    expect(checkRequest(req({ ...h, host: `evil.example:${PORT}` }), url(), PORT, secrets).ok).toBe(false);
    expect(checkRequest(req({ ...h, host: `127.0.0.1:${PORT + 1}` }), url(), PORT, secrets).ok).toBe(false);
    expect(checkRequest(req({ ...h, origin: "http://evil.example" }), url(), PORT, secrets).ok).toBe(false);
    expect(checkRequest(req({ ...h, origin: "null" }), url(), PORT, secrets).ok).toBe(false);
    expect(checkRequest(req({ ...h, origin: `http://127.0.0.1:${PORT}.evil.example` }), url(), PORT, secrets).ok).toBe(false);
    expect(checkRequest(req({ ...h, "sec-fetch-site": "cross-site" }), url(), PORT, secrets).ok).toBe(false);
    expect(checkRequest(req({ ...h, origin: `http://localhost:${PORT}`, host: `localhost:${PORT}` }), url(), PORT, secrets).ok).toBe(true);
  });
});

describe("apply confirmation", () => {
  it("needs the plan's own counts; spacing, case, a full stop or a leading Plan: are forgiven", () => {
    const expected = "2 to add, 1 to change, 1 to destroy";
    for (const typed of [expected, " Plan: 2 to add,1 to change,  1 to destroy. ", "2 TO ADD, 1 TO CHANGE, 1 TO DESTROY"]) expect(confirmationMatches(typed, expected)).toBe(true);
    for (const typed of ["", "yes", "2 to add, 1 to change, 0 to destroy", "2 to add, 1 to change", "1 to destroy, 1 to change, 2 to add", "12 to add, 1 to change, 1 to destroy"])
      expect(confirmationMatches(typed, expected)).toBe(false);
  });
});

describe("history of applies", () => {
  const dir = mkdtempSync(join(tmpdir(), "pmx-ui-history-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is empty without an audit log, newest first with one, and skips lines that are not records", async () => {
    const state = join(dir, "pmxform.state.json");
    // Through the configured backend's audit log (no configuration: the local file's).
    expect((await readHistory({ chdir: dir })).entries).toEqual([]);
    writeFileSync(
      `${state}.audit.jsonl`,
      [
        JSON.stringify({ time: "2026-12-07T10:00:00Z", user: "ann", origin: "cli", plan_hash: "ab12", counts: { import: 0, add: 1, change: 0, destroy: 0 }, result: "complete" }),
        "{not json",
        "[1,2]",
        JSON.stringify({ timestamp: "2026-12-07T11:00:00Z", user: "bob", origin: "web", planHash: "cd34", counts: "0 to add, 1 to change, 0 to destroy", status: "failed" }),
        "",
      ].join("\n"),
    );
    const h = (await readHistory({ chdir: dir })).entries;
    expect(h.map((e) => [e.time, e.user, e.origin, e.planHash, e.counts, e.result])).toEqual([
      ["2026-12-07T11:00:00Z", "bob", "web", "cd34", "0 to add, 1 to change, 0 to destroy", "failed"],
      ["2026-12-07T10:00:00Z", "ann", "cli", "ab12", "1 to add, 0 to change, 0 to destroy", "complete"],
    ]);
  });
});
