/**
 * A peer of a group in a process of its own (`peerlearn peer --index I`, I > 0): it builds the same group as
 * every process does (the same generators for the same peers), runs only its own member (its envs, replay buffer
 * and training), and answers the coordinator's requests one after another, in the order they come: a suggestion,
 * critic or value estimates for given states, its own action, an env step with the action the group chose (the
 * reply carries what the group's seams need: reward, s', the reset observation, an evaluation, value estimates
 * and the suggestion asked next, computed ahead), a training round, a checkpoint saved into its own folder or
 * loaded from it.
 */
import { goOn } from "../../core/given-up.js";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { UserError, capLine } from "../../core/errors.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import type { LoopState } from "../../agents/off-policy-loop.js";
import type { GroupRunConfig } from "../../peers/config.js";
import { connectNats, redactUrl } from "../nats-connection.js";
import { Op, ProtocolError, decode, encode, f32, peerSubject, type Message, type QueryHead } from "./peer-protocol.js";
import { RequestSchemas, fields } from "./peer-messages.js";
import { ServedMember } from "./served-member.js";

export interface PeerServerOptions {
  readonly url: string;
  readonly group: string;
  readonly index: number;
  readonly out: string;
  readonly kernels: Kernels;
  readonly configHash: string;
  readonly log: (line: string) => void;
}

/** How many arrays a list of query heads takes in a message. */
const arrayCount = (heads: readonly QueryHead[]): number => heads.reduce((n, q) => n + (q.two ? 2 : 1), 0);

/** A request of the right shape whose sender may not ask it (not the group's coordinator). */
class Refused extends Error {}

/**
 * Who may ask this peer: the coordinator whose session id came with the first hello, while it is heard from. A
 * hello from another session is refused while this one is alive (a second peer 0 of the group); one that has been
 * silent longer than `staleMs` is taken for a restarted coordinator.
 */
class Coordination {
  private current: { session: string; heard: number } | null = null;
  private readonly refused = new Set<string>(); // sessions refused (said once each)

  constructor(
    private readonly o: PeerServerOptions,
    private readonly staleMs: number,
  ) {}

  /** A hello from `session`: null when it now coordinates, else the refusal to send back. */
  join(session: string): Uint8Array | null {
    const { o } = this;
    if (this.current && this.current.session !== session) {
      const quiet = Date.now() - this.current.heard;
      if (quiet < this.staleMs) {
        if (!this.refused.has(session))
          o.log(
            `peerlearn peer ${o.index}: refused a second peer 0 of group ${o.group} (its coordinator answered ${Math.round(quiet / 1000)} s ago)`,
          );
        this.refused.add(session);
        return encode(Op.failed, {
          code: "coordinated",
          message: `peer ${o.index} of group ${o.group} is coordinated by another peer 0 (heard ${Math.round(quiet / 1000)} s ago): is a second \`peerlearn peer --index 0\` running for this group? Stop it, or give this one another --group`,
        });
      }
      o.log(
        `peerlearn peer ${o.index}: a new peer 0 took over group ${o.group} (the last one was silent ${Math.round(quiet / 1000)} s)`,
      );
    }
    this.current = { session, heard: Date.now() };
    return null;
  }

  /** Throws Refused unless `session` is the coordinator's. */
  own(session: string, what: string): void {
    if (this.current?.session !== session)
      throw new Refused(`peer ${this.o.index} takes ${what} requests only from the group's coordinator`);
  }

  heard(): void {
    if (this.current) this.current.heard = Date.now();
  }
}

/** The reply to one request of the coordinator about `member`. */
function handle(m: Message, member: ServedMember, who: Coordination, o: PeerServerOptions): Uint8Array {
  const d = member.loop.obs.length;
  const w = member.peer.actionWidth;
  switch (m.op) {
    case Op.join: {
      const { configHash, session } = fields(RequestSchemas.join, m, "join");
      if (configHash !== o.configHash)
        return encode(Op.failed, {
          message: `peer ${o.index} runs a different config than peer 0: give every peer the same --preset, --config, --set, --steps and --seed`,
        });
      return who.join(session) ?? encode(Op.ok, member.info() as unknown as Record<string, unknown>);
    }
    case Op.suggest: {
      const { explore } = fields(RequestSchemas.suggest, m, "suggest");
      return encode(Op.ok, {}, [member.suggest(f32(m, 0, d), explore)]);
    }
    case Op.critic: {
      const { n } = fields(RequestSchemas.critic, m, "critic");
      const out = new Float64Array(n);
      member.peer.critic(f32(m, 0, d), f32(m, 1, n * w), n, out);
      return encode(Op.ok, {}, [out]);
    }
    case Op.values: {
      const { queries } = fields(RequestSchemas.values, m, "values");
      expectArrays(m, arrayCount(queries));
      return encode(Op.ok, {}, member.answer(queries, m, 0, null));
    }
    case Op.act: {
      const { t } = fields(RequestSchemas.act, m, "act");
      return encode(Op.ok, {}, [member.act(f32(m, 0, d), t)]);
    }
    case Op.beforeStep:
      member.peer.beforeStep(fields(RequestSchemas.beforeStep, m, "beforeStep").t);
      return encode(Op.ok);
    case Op.step: {
      const f = fields(RequestSchemas.step, m, "step");
      const { prefetch } = f;
      expectArrays(m, (prefetch ? 2 : 1) + arrayCount(f.before) + arrayCount(f.queries));
      const chosenRow = f32(m, 0, w);
      if (prefetch) f32(m, 1, d);
      // First what the group asked before this step: the previous member's updates waited for it.
      const earlier = member.answer(f.before, m, prefetch ? 2 : 1, null);
      const { r, ev, reset, stored } = member.step(chosenRow, f.own ?? null, f.progressTotal);
      const values = member.answer(f.queries, m, (prefetch ? 2 : 1) + arrayCount(f.before), stored);
      // After the values, as the group asks them: the suggestion it will likely ask next.
      const ahead = prefetch ? [member.computeAhead(f32(m, 1), prefetch.explore)] : [];
      return encode(
        Op.ok,
        {
          reward: r.reward,
          terminated: r.terminated,
          truncated: r.truncated,
          steps: member.loop.steps,
          eval: ev?.ev ?? null,
          returns: ev?.returns ?? [],
          reset: reset !== null,
        },
        [r.obs, ...(reset ? [reset] : []), ...ahead, ...earlier, ...values],
      );
    }
    case Op.train: {
      const { prefetch } = fields(RequestSchemas.train, m, "train");
      expectArrays(m, prefetch ? 1 : 0);
      if (member.peer.learns) member.loop.trainIfDue();
      // After the round, as the group asks it: the suggestion it will likely ask next.
      return encode(Op.ok, {}, prefetch ? [member.computeAhead(f32(m, 0, d), prefetch.explore)] : []);
    }
    case Op.save: {
      const { name, session } = fields(RequestSchemas.save, m, "save");
      who.own(session, "save");
      // The newest two are kept: the coordinator may resume from the one before if it dies while saving.
      const state = member.runDir.saveCheckpoint(Number(name.slice(5)), (dir) => member.loop.save(dir), 2);
      return encode(Op.ok, { state });
    }
    case Op.load: {
      const { name, session } = fields(RequestSchemas.load, m, "load");
      who.own(session, "load");
      // Its own checkpoint of that name, checked against its manifest (the state sent along is the same one).
      member.runDir.resume<LoopState>((dir, state) => member.loop.load(dir, state), Number(name.slice(5)));
      return encode(Op.ok);
    }
    default:
      return encode(Op.failed, { message: `unknown request ${m.op}` });
  }
}

export async function servePeer(config: GroupRunConfig, o: PeerServerOptions): Promise<void> {
  const member = new ServedMember(config, o.index, o.kernels, o.out, o.log);
  const who = new Coordination(o, Math.max(3000, config.group.adviceTimeoutMs ?? 10_000));
  const { loop, learner } = member;
  mkdirSync(o.out, { recursive: true });
  const nc = await connectNats(o.url, `peerlearn peer ${o.index} (group ${o.group})`);
  const subject = peerSubject(o.group, o.index);
  // A second process on this index: whoever answers the probe serves it already (it says so on its side too).
  const instance = randomUUID();
  const startedAt = Date.now();
  const probe = encode(Op.probe, { instance, startedAt });
  const other = await nc.request(subject, probe, { timeout: 1000 }).then(
    () => true,
    () => false,
  );
  if (other)
    throw new UserError(
      `another process already serves peer ${o.index} of group ${o.group} on this NATS server: stop it first, or start this one with another --index or --group`,
    );
  const sub = nc.subscribe(subject);
  o.log(
    `peerlearn peer ${o.index}: serving group ${o.group} on NATS ${redactUrl(o.url)}; waiting for peer 0 (it coordinates the group)`,
  );
  try {
    for await (const msg of sub) {
      let reply: Uint8Array;
      let finished = false;
      try {
        const m = decode(msg.data);
        if (m.op === Op.probe) {
          const p = fields(RequestSchemas.probe, m, "probe");
          if (p.instance === instance) continue; // our own, after we subscribed
          o.log(
            `peerlearn peer ${o.index}: refused a second process that tried to serve peer ${o.index} of group ${o.group}`,
          );
          msg.respond(encode(Op.failed, { message: `peer ${o.index} of group ${o.group} is served already` }));
          continue;
        }
        if (m.op === Op.finish) {
          who.own(fields(RequestSchemas.finish, m, "finish").session, "finish");
          learner.save(join(o.out, "final", `peer-${o.index}`), false);
          reply = encode(Op.ok);
          finished = true;
        } else {
          member.settlePrefetch(m);
          reply = handle(m, member, who, o);
        }
        if (m.op !== Op.join) who.heard();
      } catch (e) {
        reply = encode(Op.failed, { message: e instanceof Error ? e.message : String(e) });
        if (e instanceof ProtocolError || e instanceof Refused)
          o.log(`peerlearn peer ${o.index}: refused a request: ${capLine(e.message)}`);
        else if (!(e instanceof UserError)) o.log(`peerlearn peer ${o.index}: ${e instanceof Error ? e.stack : e}`);
      }
      msg.respond(reply);
      if (finished) {
        o.log(`peerlearn peer ${o.index}: the group finished at step ${loop.steps}; final weights in ${o.out}/final`);
        break;
      }
    }
  } finally {
    loop.close();
    await nc.drain().catch(goOn(`peer ${o.index}: the NATS connection did not close cleanly`, undefined, o.log));
  }
}

/** A request carries exactly `n` arrays, or ProtocolError. */
function expectArrays(m: Message, n: number): void {
  if (m.arrays.length !== n) throw new ProtocolError(`request ${m.op} carries ${m.arrays.length} arrays, not ${n}`);
}
