/**
 * `peerlearn dashboard`: a local, read-only web server whose page shows runs as they train. It serves the page,
 * the charting library (uPlot, from this package's dependencies: no CDN, works offline), the list of runs, their
 * metrics lines from a byte offset on, the sweeps (experiment folders, local or on NATS) with their progress, and
 * a stream of server-sent events that says which runs grew and when a sweep moved; with `nats`, the sweeps on that
 * server as well. By default it
 * listens on 127.0.0.1 only; it answers GET and HEAD only, and only for the folders it was given.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../core/errors.js";
import { RunIndex } from "./runs.js";
import { boundPort, closeServer, hostAllowed, listen, refuseHost, send } from "../core/http.js";
import { startNatsMirror } from "./nats-mirror.js";

export interface DashboardOptions {
  folders: readonly string[];
  port: number;
  host: string;
  /** How often the folders are looked at for new lines (ms). */
  pollMs?: number;
  /** A NATS server whose sweeps are shown too (nats-mirror.ts). */
  nats?: string;
}

export interface Dashboard {
  readonly url: string;
  close(): Promise<void>;
}

function staticFiles(): Record<string, { type: string; body: Buffer }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const uplot = dirname(createRequire(import.meta.url).resolve("uplot"));
  // The page's script is bundled by the build (scripts/build-demo.mjs) into dist/dashboard, whether this module
  // runs from dist/ or, in the tests, from src/.
  const script = join(here, "..", "..", "dist", "dashboard", "page.js");
  if (!existsSync(script)) throw new Error(`${script} is missing: build the package first (npm run build)`);
  return {
    "/": { type: "text/html; charset=utf-8", body: readFileSync(join(here, "page.html")) },
    "/page.js": { type: "text/javascript", body: readFileSync(script) },
    "/uplot.css": { type: "text/css", body: readFileSync(join(uplot, "uPlot.min.css")) },
  };
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  for (const f of options.folders) {
    let ok = false;
    try {
      ok = statSync(f).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) throw new UserError(`dashboard: ${f} is not a folder (give run or experiment folders)`);
  }
  const mirror = options.nats ? await startNatsMirror(options.nats, options.pollMs) : null;
  const index = new RunIndex(mirror ? [...options.folders, mirror.folder] : options.folders);
  const files = staticFiles();
  const listeners = new Set<ServerResponse>();
  const json = (res: ServerResponse, value: unknown): void => send(res, 200, "application/json", JSON.stringify(value));

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (!hostAllowed(req, options.host, boundPort(server))) return refuseHost(res);
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "read-only\n");
    const url = new URL(req.url ?? "/", "http://localhost");
    const file = files[url.pathname];
    if (file) return send(res, 200, file.type, file.body);
    if (url.pathname === "/favicon.ico") return send(res, 204, "image/x-icon", "");
    if (url.pathname === "/api/runs") return json(res, index.list());
    if (url.pathname === "/api/sweeps") return json(res, index.sweeps());
    if (url.pathname === "/api/metrics") {
      const dir = index.resolve(url.searchParams.get("run") ?? "");
      if (!dir) return send(res, 404, "text/plain", "no such run\n");
      const from = Math.max(0, Number(url.searchParams.get("from") ?? 0) || 0);
      return json(res, index.metrics(dir, from));
    }
    if (url.pathname === "/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      res.write(": connected\n\n");
      listeners.add(res);
      req.on("close", () => listeners.delete(res));
      return;
    }
    send(res, 404, "text/plain", "not found\n");
  };

  // Which runs grew (or appeared) since the last look: one event each, the page fetches their new lines.
  let sizes = new Map<string, number>();
  let sweeps = "";
  const poll = setInterval(() => {
    if (listeners.size === 0) return;
    const nowSweeps = JSON.stringify(index.sweeps());
    if (nowSweeps !== sweeps) {
      sweeps = nowSweeps;
      for (const l of listeners) l.write(`event: sweeps\ndata: {}\n\n`);
    }
    const now = new Map(index.list().map((r) => [r.id, r.metricsBytes]));
    for (const [id, bytes] of now) {
      if (sizes.get(id) === bytes) continue;
      const event = `event: ${sizes.has(id) ? "grew" : "run"}\ndata: ${JSON.stringify({ id, bytes })}\n\n`;
      for (const l of listeners) l.write(event);
    }
    sizes = now;
  }, options.pollMs ?? 500);

  const server = createServer(handle);
  let url: string;
  try {
    url = await listen(server, options.host, options.port, "dashboard");
  } catch (e) {
    clearInterval(poll);
    await mirror?.close();
    throw e;
  }
  return {
    url,
    close: async () => {
      clearInterval(poll);
      for (const l of listeners) l.end();
      await closeServer(server);
      await mirror?.close();
    },
  };
}
