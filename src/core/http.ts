/** What the local web servers (the dashboard, the demo) share: listening, and answers with safe headers. */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { UserError } from "./errors.js";

/** Starts `server` on host:port and returns its address (port 0: a free one); a busy port is one clear line. */
export async function listen(server: Server, host: string, port: number, what: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(new UserError(`${what}: cannot listen on ${host}:${port} (${e.code ?? e.message})`)),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  return `http://${host.includes(":") ? `[${host}]` : host}:${bound}/`;
}

export function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(body);
}

export const closeServer = (server: Server): Promise<void> =>
  new Promise<void>((resolve) => server.close(() => resolve()));

/**
 * Whether a request's Host header names this server: an IP address or `localhost` (with the port it listens on),
 * or the host name it was started with. A page on another origin that points its own name at this address (DNS
 * rebinding) sends its own name, and is refused.
 */
export function hostAllowed(req: IncomingMessage, listenHost: string, port: number): boolean {
  const header = req.headers.host;
  if (!header || header.length > 300) return false;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== "/") return false;
  if ((url.port === "" ? 80 : Number(url.port)) !== port) return false;
  const name = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return isIP(name) !== 0 || name === "localhost" || name === listenHost.toLowerCase();
}

/** The port a listening server is bound to. */
export function boundPort(server: Server): number {
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** The answer to a request whose Host is not this server's. */
export const refuseHost = (res: ServerResponse): void =>
  send(res, 421, "text/plain", "this server answers only requests addressed to it (Host header)\n");
