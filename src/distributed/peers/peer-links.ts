/**
 * Synchronous requests from a group's coordinator (peer 0) to the other peer processes. The group's code (one
 * PeerGroup, as in a single process) calls its stand-ins for remote peers synchronously; each call becomes a NATS
 * request sent by a thread of its own (peer-link-thread.ts) while this thread waits on shared memory. `send`
 * starts a request without waiting (training, bookkeeping): the next request to that peer waits for it first, so
 * every peer sees its requests in the order the group made them.
 */
import { Worker } from "node:worker_threads";
import { UserError, printable } from "../../core/errors.js";
import { Op, ProtocolError, decode, type Message } from "./peer-protocol.js";

/** Words of a link in the control array: its state, request and reply byte lengths, timeout. */
export const Link = { state: 0, requestLength: 1, replyLength: 2, timeoutMs: 3 } as const;
export const LINK_WORDS = 4;
export const State = { idle: 0, request: 1, sent: 2, reply: 3, failed: 4 } as const;

export interface LinkInit {
  readonly url: string;
  readonly group: string;
  readonly peers: number;
  /** Bytes of a request and of a reply, per peer. */
  readonly capacity: number;
  /** [doorbell, thread ready (1) or failed (2 + bytes of its message), then LINK_WORDS per peer]. */
  readonly ctrl: SharedArrayBuffer;
  /** Per peer: its request bytes, then its reply bytes. */
  readonly data: SharedArrayBuffer;
}

/** Blocks this thread for `ms` (the group's code is synchronous: a coordinator waits without an event loop). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A request that failed: no answer within the timeout, or nobody listening on the peer's subject. */
export class PeerUnavailable extends Error {}

/** A peer's error reply: what it said, and its code where it gave one (`coordinated`: it answers another peer 0). */
export class PeerRefused extends UserError {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export class PeerLinks {
  private readonly worker: Worker;
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly capacity: number;
  /** Requests that failed so far (no answer in time, nobody listening). */
  failures = 0;
  /** Requests sent so far (what a lockstep group over processes waits for: the bench reports them per step). */
  sent = 0;
  /** Whether a request to each peer is outstanding (its reply not read yet). */
  private readonly pending: boolean[];

  constructor(url: string, group: string, peers: number, capacity = 8 << 20) {
    this.capacity = capacity;
    const init: LinkInit = {
      url,
      group,
      peers,
      capacity,
      ctrl: new SharedArrayBuffer((2 + peers * LINK_WORDS) * 4),
      data: new SharedArrayBuffer(peers * 2 * capacity),
    };
    this.ctrl = new Int32Array(init.ctrl);
    this.data = new Uint8Array(init.data);
    this.pending = new Array<boolean>(peers).fill(false);
    this.worker = new Worker(new URL("./peer-link-thread.js", import.meta.url), { workerData: init });
    this.worker.unref();
    const deadline = Date.now() + 60_000;
    while (Atomics.load(this.ctrl, 1) === 0 && Date.now() < deadline) Atomics.wait(this.ctrl, 1, 0, 100);
    const started = Atomics.load(this.ctrl, 1);
    if (started !== 1) {
      void this.worker.terminate();
      // The thread leaves its error's message at the start of the shared data, its length in the ready word.
      throw new UserError(
        started > 2
          ? new TextDecoder().decode(this.data.slice(0, started - 2))
          : "cannot connect to the NATS server: its thread did not start within 60 s",
      );
    }
  }

  /** Starts a request to `peer` (after its previous one is answered); `timeoutMs`: how long it may take. */
  send(peer: number, request: Uint8Array, timeoutMs: number): void {
    if (this.pending[peer]) this.finish(peer);
    if (request.length > this.capacity) throw new Error(`a request of ${request.length} bytes is too large`);
    const b = 2 + peer * LINK_WORDS;
    this.data.set(request, peer * 2 * this.capacity);
    Atomics.store(this.ctrl, b + Link.requestLength, request.length);
    Atomics.store(this.ctrl, b + Link.timeoutMs, timeoutMs);
    Atomics.store(this.ctrl, b + Link.state, State.request);
    this.pending[peer] = true;
    this.sent++;
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
  }

  /** The reply to the outstanding request of `peer`; PeerUnavailable when it failed; an error reply is thrown. */
  reply(peer: number): Message {
    if (!this.pending[peer]) throw new Error(`no request to peer ${peer} is outstanding`);
    this.pending[peer] = false;
    const b = 2 + peer * LINK_WORDS;
    for (;;) {
      const s = Atomics.load(this.ctrl, b + Link.state);
      if (s === State.reply || s === State.failed) break;
      Atomics.wait(this.ctrl, b + Link.state, s, 1000);
    }
    const failed = Atomics.load(this.ctrl, b + Link.state) === State.failed;
    Atomics.store(this.ctrl, b + Link.state, State.idle);
    if (failed) {
      this.failures++;
      throw new PeerUnavailable(`peer ${peer} did not answer`);
    }
    const at = peer * 2 * this.capacity + this.capacity;
    const message = decode(this.data.subarray(at, at + Atomics.load(this.ctrl, b + Link.replyLength)));
    if (message.op === Op.failed) {
      const { code } = message.meta;
      throw new PeerRefused(
        `peer ${peer}: ${printable(String(message.meta.message))}`,
        typeof code === "string" ? code : undefined,
      );
    }
    if (message.op !== Op.ok) throw new ProtocolError(`peer ${peer} replied with operation ${message.op}`);
    return message;
  }

  /** A request and its reply. */
  request(peer: number, request: Uint8Array, timeoutMs: number): Message {
    this.send(peer, request, timeoutMs);
    return this.reply(peer);
  }

  /** Waits out an outstanding request whose reply nobody reads (a failure still counts). */
  finish(peer: number): void {
    if (this.pending[peer]) this.reply(peer);
  }

  close(): void {
    void this.worker.terminate();
  }
}
