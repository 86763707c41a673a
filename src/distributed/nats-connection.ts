/**
 * Connecting to NATS as its users expect: `nats://host:port` or `tls://host:port` (several, comma-separated, for a
 * cluster), credentials from a creds file (PEERLEARN_NATS_CREDS) or a user and password (NATS_USER and
 * NATS_PASSWORD, or in the URL). No secret is ever printed: what is shown of a URL is `redactUrl`'s.
 */
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { UserError } from "../core/errors.js";

interface Server {
  readonly scheme: string;
  /** host:port, as nats.js takes it. */
  readonly address: string;
  readonly user?: string;
  readonly pass?: string;
}

/** How a URL is shown when it cannot be parsed: nothing of it, since a password may be anywhere in it. */
const UNPARSEABLE = "(a URL that cannot be parsed)";

/**
 * One server of a --nats list. The credentials are everything between `scheme://` and the last `@`, taken out
 * before the rest goes to the WHATWG URL parser, so a password may hold `/`, `@`, `:` or `#` typed as they are
 * (or percent-encoded); null when the rest is not a URL.
 */
function parseServer(part: string): Server | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(part);
  const rest = scheme ? part.slice(scheme[0].length) : part;
  const at = rest.lastIndexOf("@");
  const userinfo = at >= 0 ? rest.slice(0, at) : "";
  let url: URL;
  try {
    url = new URL(`${scheme ? scheme[1].toLowerCase() : "nats"}://${rest.slice(at + 1)}`);
  } catch {
    return null;
  }
  if (url.pathname !== "" && url.pathname !== "/") return null;
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text; // a % that is not an escape: the password as typed
    }
  };
  const colon = userinfo.indexOf(":");
  return {
    scheme: url.protocol.slice(0, -1),
    address: `${url.hostname}:${url.port || "4222"}`,
    user: userinfo ? decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo) : undefined,
    pass: colon >= 0 ? decode(userinfo.slice(colon + 1)) : undefined,
  };
}

/** The URL as it may be printed: each server's scheme, host and port, never a user or password. */
export function redactUrl(url: string): string {
  return url
    .split(",")
    .map((part) => {
      const s = parseServer(part.trim());
      return s ? `${s.scheme}://${s.address}` : UNPARSEABLE;
    })
    .join(",");
}

function parseServers(url: string): { servers: string[]; user?: string; pass?: string; tls: boolean } {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  let tls = false;
  for (const part of url.split(",").map((s) => s.trim())) {
    const s = parseServer(part);
    if (!s)
      throw new UserError(
        `--nats: ${UNPARSEABLE}: use nats://HOST:PORT or tls://HOST:PORT (credentials as nats://USER:PASSWORD@HOST:PORT, or in NATS_USER and NATS_PASSWORD)`,
      );
    if (s.scheme !== "nats" && s.scheme !== "tls")
      throw new UserError(`--nats ${redactUrl(part)}: the scheme must be nats:// or tls://, got ${s.scheme}://`);
    if (s.scheme === "tls") tls = true;
    if (s.user !== undefined) user = s.user;
    if (s.pass !== undefined) pass = s.pass;
    servers.push(s.address);
  }
  return { servers, user, pass, tls };
}

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  const { servers, user, pass, tls } = parseServers(url);
  const creds = process.env.PEERLEARN_NATS_CREDS;
  let authenticator;
  if (creds) {
    try {
      authenticator = credsAuthenticator(readFileSync(creds));
    } catch (e) {
      throw new UserError(`PEERLEARN_NATS_CREDS: cannot read ${creds} (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  }
  try {
    return await connect({
      servers,
      name,
      user: user ?? process.env.NATS_USER,
      pass: pass ?? process.env.NATS_PASSWORD,
      authenticator,
      tls: tls ? {} : undefined,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
  } catch (e) {
    throw new UserError(`cannot connect to NATS at ${redactUrl(url)}: ${(e as Error).message.split("\n")[0]}`);
  }
}
