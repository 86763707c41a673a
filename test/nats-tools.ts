/**
 * What the suites that run a real nats-server share: a free loopback port, the server (JetStream, a temporary
 * store), `peerlearn` processes whose stderr lines are kept, and waiting for a condition with what the processes
 * printed when it times out. killAll ends every process started here (call it in afterAll).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect as tcpConnect } from "node:net";

const CLI = "dist/cli/main.js";
const children: ChildProcess[] = [];

export function killAll(): void {
  for (const c of children) c.kill("SIGKILL");
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = tcpConnect(port, "127.0.0.1", () => {
        c.end();
        resolve(true);
      }).on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nats-server did not listen on ${port}`);
}

export async function startServer(port: number, store: string): Promise<ChildProcess> {
  const server = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store], {
    stdio: "ignore",
  });
  children.push(server);
  await waitForPort(port);
  return server;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly done: Promise<number>;
}

/** A `peerlearn` process; its stderr lines go to `lines`. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, lines: string[] = []): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  child.stderr?.setEncoding("utf8").on("data", (d: string) => lines.push(...d.split("\n").filter(Boolean)));
  const done = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return { child, lines, done };
}

/** Waits for `test` to hold; on a timeout the error shows what the processes in `watched` printed. */
export async function until(
  what: string,
  test: () => boolean | Promise<boolean>,
  watched: readonly { readonly lines: readonly string[] }[] = [],
  ms = 120_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await test())) {
    if (Date.now() - t0 > ms)
      throw new Error([`timed out waiting for ${what}`, ...watched.map((p) => p.lines.join("\n"))].join("\n---\n"));
    await new Promise((r) => setTimeout(r, 50));
  }
}
