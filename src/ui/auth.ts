// Who may talk to the web view: requests addressed to this server's loopback host and port
// (another Host is a DNS-rebinding page), from no other origin, carrying the run's random token
// (in the printed URL once, then as a cookie, or in a header for scripts). State-changing forms
// also carry a CSRF token. Everything else gets 403.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const COOKIE = "pmxform_ui";
export const TOKEN_HEADER = "x-pmxform-token";

export interface Secrets {
  /** Proves the request comes from someone who saw the printed URL. */
  token: string;
  /** Embedded in the page's forms; a POST without it is refused. */
  csrf: string;
}

export function newSecrets(): Secrets {
  return { token: randomBytes(32).toString("base64url"), csrf: randomBytes(32).toString("base64url") };
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type Verdict = { ok: true; tokenFromUrl: boolean } | { ok: false; why: string };

/** The hosts a browser on this machine uses to reach the server: nothing a remote DNS name can make it send. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function checkRequest(req: IncomingMessage, url: URL, port: number, secrets: Secrets): Verdict {
  const hosts = allowedHosts(port);
  if (!hosts.includes(req.headers.host ?? "")) return { ok: false, why: "this server answers only to 127.0.0.1 and localhost on its own port" };
  const origin = req.headers.origin;
  // Browsers send "null" from sandboxed frames and file: pages: not ours either.
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) return { ok: false, why: "requests from other origins are refused" };
  const fetchSite = req.headers["sec-fetch-site"];
  if (fetchSite === "cross-site") return { ok: false, why: "cross-site requests are refused" };
  const fromUrl = url.searchParams.get("token") ?? undefined;
  if (sameSecret(fromUrl, secrets.token)) return { ok: true, tokenFromUrl: true };
  const header = req.headers[TOKEN_HEADER];
  if (sameSecret(typeof header === "string" ? header : undefined, secrets.token)) return { ok: true, tokenFromUrl: false };
  if (sameSecret(cookieValue(req.headers.cookie, COOKIE), secrets.token)) return { ok: true, tokenFromUrl: false };
  return { ok: false, why: "open the URL `pmxform ui` printed (it carries the access token)" };
}

/** The cookie that replaces the URL's token: not readable by scripts, never sent by another site. */
export function tokenCookie(secrets: Secrets): string {
  return `${COOKIE}=${secrets.token}; HttpOnly; SameSite=Strict; Path=/`;
}
