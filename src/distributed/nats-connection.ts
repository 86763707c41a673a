/**
 * Connecting to NATS as its users expect: `nats://host:port` or `tls://host:port` (several, comma-separated, for a
 * cluster), credentials from a creds file (PEERLEARN_NATS_CREDS) or a user and password (NATS_USER and
 * NATS_PASSWORD, or in the URL). No secret is ever printed: what is shown of a URL is `redactUrl`'s.
 */
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { UserError } from "../core/errors.js";

/** The URL without its user and password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, "//");
}

function parseServers(url: string): { servers: string[]; user?: string; pass?: string; tls: boolean } {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  let tls = false;
  for (const part of url.split(",").map((s) => s.trim())) {
    let u: URL;
    try {
      u = new URL(part.includes("://") ? part : `nats://${part}`);
    } catch {
      throw new UserError(
        `--nats ${JSON.stringify(redactUrl(part))} is not a URL: use nats://HOST:PORT or tls://HOST:PORT`,
      );
    }
    if (u.protocol !== "nats:" && u.protocol !== "tls:")
      throw new UserError(`--nats ${redactUrl(part)}: the scheme must be nats:// or tls://, got ${u.protocol}//`);
    if (u.protocol === "tls:") tls = true;
    if (u.username) user = decodeURIComponent(u.username);
    if (u.password) pass = decodeURIComponent(u.password);
    servers.push(`${u.hostname}:${u.port || "4222"}`);
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
