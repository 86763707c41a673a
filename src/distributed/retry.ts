/**
 * NATS operations that outlive a server restart: the client reconnects by itself, and an operation that failed
 * meanwhile is tried again, for up to `patienceMs`. Mistakes of the user (UserError) are not retried.
 */
import { UserError } from "../core/errors.js";

export async function retry<T>(what: string, op: () => Promise<T>, patienceMs = 120_000): Promise<T> {
  const start = performance.now();
  for (let wait = 200; ; wait = Math.min(wait * 2, 5000)) {
    try {
      return await op();
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (performance.now() - start > patienceMs)
        throw new UserError(
          `NATS: ${what} kept failing for ${Math.round(patienceMs / 1000)} s: ${(e as Error).message.split("\n")[0]}`,
        );
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
