/** The commands that serve a page: `dashboard` and `demo`. */
import { integerOption, parseCommand } from "./args.js";
import { serveUntilStopped } from "./serve.js";
import { startDashboard } from "../dashboard/server.js";
import { startDemoServer } from "../demo/server.js";

export const DASHBOARD_USAGE = `  dashboard [FOLDER...] a live page of the runs under these folders (default runs): learning curves per peer,
                        follow shares, trust and agent values, a table of runs; read-only, updates as they train
      --port P          port (default 8080)
      --host H          address to listen on (default 127.0.0.1: this machine only)
      --nats URL        also the sweeps on this NATS server (experiment --nats): plans, progress, running and
                        finished runs (credentials: PEERLEARN_NATS_CREDS, or NATS_USER and NATS_PASSWORD)`;
export const DEMO_USAGE = `  demo                  peer learning on Room in a web page (training in the browser, in a Web Worker): the
                        rooms, controls, live curves, follow shares and trust; demo/dist is the same as a static site
      --port P          port (default 8080)
      --host H          address to listen on (default 127.0.0.1: this machine only)`;

export async function dashboard(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    args,
    { port: { type: "string" }, host: { type: "string" }, nats: { type: "string" } },
    true,
  );
  const d = await startDashboard({
    folders: positionals.length || values.nats ? positionals : ["runs"],
    nats: values.nats,
    port: integerOption("port", values.port, 8080, 0, 65535),
    host: values.host ?? "127.0.0.1",
  });
  process.stderr.write(`peerlearn dashboard: ${d.url} (read-only; Ctrl-C stops it)\n`);
  await serveUntilStopped();
}

export async function demo(args: string[]): Promise<void> {
  const { values } = parseCommand(args, { port: { type: "string" }, host: { type: "string" } });
  const d = await startDemoServer({
    port: integerOption("port", values.port, 8080, 0, 65535),
    host: values.host ?? "127.0.0.1",
  });
  process.stderr.write(`peerlearn demo: ${d.url} (Ctrl-C stops it)\n`);
  await serveUntilStopped();
}
