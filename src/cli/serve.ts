/** How the server commands (dashboard, demo) stay up. */

/**
 * A server command runs until Ctrl-C, or until the process that started it is gone (npx killed: the server would
 * otherwise live on as an orphan holding its port).
 */
export function serveUntilStopped(): Promise<never> {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000);
  return new Promise<never>(() => {});
}
