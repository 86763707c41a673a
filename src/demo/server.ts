/**
 * `peerlearn demo`: serves the browser demo's static build (demo/dist, made by `npm run build`) on 127.0.0.1 by
 * default. Only the build's own files are served, read once at start: no request can reach another file.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../core/errors.js";
import { boundPort, closeServer, hostAllowed, listen, refuseHost, send } from "../core/http.js";

export interface DemoServer {
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
};

/** The static build beside this package's dist/ (dist/demo/server.js -> demo/dist). */
export const DEMO_DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "demo", "dist");

export async function startDemoServer(options: { port: number; host: string; dist?: string }): Promise<DemoServer> {
  const dist = options.dist ?? DEMO_DIST;
  if (!existsSync(join(dist, "index.html")))
    throw new UserError(`the demo is not built (${dist} has no index.html): run npm run build in the peerlearn folder`);
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dist)) {
    const type = TYPES[extname(name)];
    if (type) files.set(`/${name}`, { type, body: readFileSync(join(dist, name)) });
  }
  const server = createServer((req, res) => {
    if (!hostAllowed(req, options.host, boundPort(server))) return refuseHost(res);
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "read-only\n");
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const file = files.get(path === "/" ? "/index.html" : path);
    if (file) return send(res, 200, file.type, file.body);
    if (path === "/favicon.ico") return send(res, 204, "image/x-icon", "");
    send(res, 404, "text/plain", "not found\n");
  });
  const url = await listen(server, options.host, options.port, "demo");
  return { url, close: () => closeServer(server) };
}
