/**
 * The thread that carries a coordinator's requests to the other peer processes over NATS (peer-links.ts): the
 * group's code runs synchronously on the main thread, which writes a request into shared memory and waits on it;
 * this thread sends it, and writes the reply (or the failure: no answer within the timeout, nobody listening)
 * back. Requests to different peers are in flight at once.
 */
import { workerData } from "node:worker_threads";
import { connectNats } from "../nats-connection.js";
import { peerSubject } from "./peer-protocol.js";
import { Link, LINK_WORDS, State, type LinkInit } from "./peer-links.js";

// No stacks in this thread: nats.js builds an Error for every request it settles (a group makes thousands a
// second), and a failure here reaches the main thread as a state or a message, never as a stack.
Error.stackTraceLimit = 0;
const init = workerData as LinkInit;
const ctrl = new Int32Array(init.ctrl);
const data = new Uint8Array(init.data);
const base = (p: number): number => 2 + p * LINK_WORDS;
/** Atomics.waitAsync (Node >= 16; not in the ES2022 typings). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, index: number, value: number): { value: Promise<string> | string };
  }
).waitAsync;

async function main(): Promise<void> {
  const nc = await connectNats(init.url, `peerlearn peer 0 (group ${init.group})`);
  Atomics.store(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
  for (;;) {
    const bell = Atomics.load(ctrl, 0);
    for (let p = 0; p < init.peers; p++) {
      const b = base(p);
      if (Atomics.load(ctrl, b + Link.state) !== State.request) continue;
      Atomics.store(ctrl, b + Link.state, State.sent);
      const at = p * 2 * init.capacity;
      const request = data.slice(at, at + Atomics.load(ctrl, b + Link.requestLength));
      const timeout = Atomics.load(ctrl, b + Link.timeoutMs);
      nc.request(peerSubject(init.group, p), request, { timeout }).then(
        (reply) => {
          const ok = reply.data.length <= init.capacity;
          if (ok) data.set(reply.data, at + init.capacity);
          Atomics.store(ctrl, b + Link.replyLength, ok ? reply.data.length : -1);
          Atomics.store(ctrl, b + Link.state, ok ? State.reply : State.failed);
          Atomics.notify(ctrl, b + Link.state);
        },
        () => {
          Atomics.store(ctrl, b + Link.state, State.failed);
          Atomics.notify(ctrl, b + Link.state);
        },
      );
    }
    await waitAsync(ctrl, 0, bell).value;
  }
}

main().catch((e: unknown) => {
  // Why, for the main thread to say (it waits on shared memory and reads no messages).
  const why = new TextEncoder().encode(e instanceof Error ? e.message : String(e)).subarray(0, 1000);
  data.set(why);
  Atomics.store(ctrl, 1, 2 + why.length);
  Atomics.notify(ctrl, 1);
});
