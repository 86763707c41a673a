/**
 * A peer of a group in a process of its own (`peerlearn peer --index I`, I > 0): it builds the same group as
 * every process does (the same generators for the same peers), runs only its own member (its envs, replay buffer
 * and training), and answers the coordinator's requests one after another, in the order they come: a suggestion,
 * critic or value estimates for given states, its own action, an env step with the action the group chose (the
 * reply carries what the group's seams need: reward, s', the reset observation, an evaluation, value estimates
 * and the suggestion asked next, computed ahead), a training round, a checkpoint saved into its own folder or
 * loaded from it.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { Random, type RandomState } from "../../core/random.js";
import { UserError } from "../../core/errors.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import type { EvalResult, LoopHooks, LoopState } from "../../agents/off-policy-loop.js";
import { RunDir } from "../../runs/run-dir.js";
import type { AgentAction } from "../../agents/agent.js";
import type { GroupRunConfig } from "../../peers/config.js";
import { PeerGroup, localLoop } from "../../peers/group.js";
import { LearnerPeer } from "../../peers/peer.js";
import { connectNats, redactUrl } from "../nats-connection.js";
import { Op, ProtocolError, decode, encode, f32, peerSubject, type Message, type QueryHead } from "./peer-protocol.js";
import { RequestSchemas, fields } from "./peer-messages.js";
import { servingPlacement } from "./serving-placement.js";
import { capLine } from "../../core/errors.js";
import type { PeerInfo } from "./presence.js";

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

export async function servePeer(config: GroupRunConfig, o: PeerServerOptions): Promise<void> {
  // What this member's step reports back (its seams, run here, only record).
  let chosen: AgentAction = 0;
  let stepped: { reward: number; terminated: boolean; truncated: boolean; obs: Float32Array } | null = null;
  let evaluation: { ev: EvalResult; returns: number[] } | null = null;
  let first: Float32Array | null = null;
  const serverHooks: LoopHooks = {
    chooseAction: () => chosen,
    afterEnvStep: (r) => (stepped = { ...r, obs: Float32Array.from(r.obs) }),
    onEvaluation: (ev, returns) => (evaluation = { ev, returns: [...returns] }),
    onEpisodeEnd: (_reward, obs) => (first = Float32Array.from(obs)),
  };
  const placement = servingPlacement(o.index, serverHooks);
  const group = new PeerGroup(config, o.kernels, new Random(config.seed), placement);
  const member = group.members.find((m) => m.index === o.index);
  if (!member || !(member.peer instanceof LearnerPeer))
    throw new UserError(
      `peer ${o.index} of this group is not a learner (${group.peers[o.index]?.kind ?? "none"}); scripted peers run in peer 0's process`,
    );
  const peer = member.peer;
  const loop = localLoop(member);
  const learner = peer.learner;

  // Its folder is a run folder like any other (config.json, checkpoints with manifests): resumed from its own
  // newest checkpoint, if it has one (a restart after it was killed), once that checks out.
  const runDir = new RunDir(o.out);
  runDir.prepare(config);
  const resumed = runDir.resume<LoopState>((dir, state) => loop.load(dir, state));
  if (resumed)
    o.log(
      `peer ${o.index}: resumed from its checkpoint ${basename(runDir.latestCheckpoint() ?? "")} (step ${resumed.steps})`,
    );
  const info = (): PeerInfo => ({
    index: o.index,
    kind: peer.kind,
    learns: peer.learns,
    actionWidth: peer.actionWidth,
    discrete: learner.discreteActions > 0,
    obsDim: loop.obs.length,
    gamma: peer.gamma,
    learningStarts: peer.learningStarts,
    trainFreq: peer.trainFreq,
    beforeStep: learner.usesBeginStep,
    view: { obs: [...loop.obs], steps: loop.steps, evalMeans: [...loop.evalMeans], lastEval: loop.lastEval },
    resumed: resumed !== null,
  });

  const row = new Float32Array(peer.actionWidth);
  const faithful = config.variant === "faithful";
  // What a suggestion may draw from, and their states before the one computed ahead in the last reply (Prefetch in
  // presence.ts): put back unless the next request says it was used.
  const generators = [learner.random, peer.random];
  let beforePrefetch: (RandomState | null)[] | null = null;
  const settlePrefetch = (m: Message): void => {
    if (beforePrefetch && !m.prefetchUsed)
      generators.forEach((g, i) => {
        const state = (beforePrefetch as (RandomState | null)[])[i];
        if (g && state) g.setState(state);
      });
    beforePrefetch = null;
  };
  /** A suggestion computed ahead of its ask, its generators' states kept to be put back if it goes unused. */
  const computeAhead = (obs: Float32Array, explore: boolean): Float32Array => {
    beforePrefetch = generators.map((g) => g?.getState() ?? null);
    peer.suggest(obs, explore, row, 0);
    return Float32Array.from(row);
  };
  /**
   * This peer's value estimates for queries (`heads`; their arrays are the message's from `from` on), one array
   * after another, as separate requests would be answered; `newNext`: the s' of the step just taken, for the rows
   * that stand for it.
   */
  const answer = (
    heads: readonly QueryHead[],
    m: Message,
    from: number,
    newNext: Float32Array | null,
  ): Float64Array[] => {
    const d = loop.obs.length;
    const outs: Float64Array[] = [];
    let a = from;
    for (const q of heads) {
      const next = f32(m, a++, q.k * d);
      if (q.newRows.some((r) => r >= q.k)) throw new ProtocolError(`a value query's new rows pass its ${q.k} states`);
      if (newNext) for (const r of q.newRows) next.set(newNext, r * d);
      for (const states of q.two ? [next, f32(m, a++, q.k * d)] : [next]) {
        const out = new Float64Array(q.k);
        peer.values(states, q.k, out);
        outs.push(out);
      }
    }
    return outs;
  };
  // The coordinator this peer answers: its session id, bound at its first hello, and when it was last heard. A
  // hello from another session is refused while this one is alive (a second peer 0 of the group); one that has
  // been silent longer than staleMs is taken for a restarted coordinator.
  let coordinator = null as { session: string; heard: number } | null;
  const refused = new Set<string>(); // sessions refused (said once each)
  const staleMs = Math.max(3000, config.group.adviceTimeoutMs ?? 10_000);
  const own = (session: string, what: string): void => {
    if (coordinator?.session !== session)
      throw new Refused(`peer ${o.index} takes ${what} requests only from the group's coordinator`);
  };
  const d = loop.obs.length;
  const w = peer.actionWidth;
  const handle = (m: Message): Uint8Array => {
    switch (m.op) {
      case Op.join: {
        const { configHash, session } = fields(RequestSchemas.join, m, "join");
        if (configHash !== o.configHash)
          return encode(Op.failed, {
            message: `peer ${o.index} runs a different config than peer 0: give every peer the same --preset, --config, --set, --steps and --seed`,
          });
        if (coordinator && coordinator.session !== session) {
          const quiet = Date.now() - coordinator.heard;
          if (quiet < staleMs) {
            if (!refused.has(session))
              o.log(
                `peerlearn peer ${o.index}: refused a second peer 0 of group ${o.group} (its coordinator answered ${Math.round(quiet / 1000)} s ago)`,
              );
            refused.add(session);
            return encode(Op.failed, {
              code: "coordinated",
              message: `peer ${o.index} of group ${o.group} is coordinated by another peer 0 (heard ${Math.round(quiet / 1000)} s ago): is a second \`peerlearn peer --index 0\` running for this group? Stop it, or give this one another --group`,
            });
          }
          o.log(
            `peerlearn peer ${o.index}: a new peer 0 took over group ${o.group} (the last one was silent ${Math.round(quiet / 1000)} s)`,
          );
        }
        coordinator = { session, heard: Date.now() };
        return encode(Op.ok, info() as unknown as Record<string, unknown>);
      }
      case Op.suggest: {
        const { explore } = fields(RequestSchemas.suggest, m, "suggest");
        peer.suggest(f32(m, 0, d), explore, row, 0);
        return encode(Op.ok, {}, [row]);
      }
      case Op.critic: {
        const { n } = fields(RequestSchemas.critic, m, "critic");
        const out = new Float64Array(n);
        peer.critic(f32(m, 0, d), f32(m, 1, n * w), n, out);
        return encode(Op.ok, {}, [out]);
      }
      case Op.values: {
        const { queries } = fields(RequestSchemas.values, m, "values");
        expectArrays(m, arrayCount(queries));
        return encode(Op.ok, {}, answer(queries, m, 0, null));
      }
      case Op.act: {
        const { t } = fields(RequestSchemas.act, m, "act");
        const a = peer.act(f32(m, 0, d), t);
        if (typeof a === "number") row[0] = a;
        else row.set(a);
        return encode(Op.ok, {}, [row]);
      }
      case Op.beforeStep:
        peer.beforeStep(fields(RequestSchemas.beforeStep, m, "beforeStep").t);
        return encode(Op.ok);
      case Op.step: {
        const f = fields(RequestSchemas.step, m, "step");
        const { prefetch } = f;
        expectArrays(m, (prefetch ? 2 : 1) + arrayCount(f.before) + arrayCount(f.queries));
        const chosenRow = f32(m, 0, w);
        if (prefetch) f32(m, 1, d);
        // First what the group asked before this step: the previous member's updates waited for it.
        const earlier = answer(f.before, m, prefetch ? 2 : 1, null);
        // Its own suggestion as its action (PeerAdvice asked it to take it here), or the group's choice.
        if (f.own) peer.suggest(loop.obs, f.own.explore, row, 0);
        const action = f.own ? Float32Array.from(row) : chosenRow;
        chosen = learner.discreteActions > 0 ? action[0] : action;
        stepped = null;
        evaluation = null;
        first = null;
        loop.progressTotal = f.progressTotal;
        loop.collect();
        const r = stepped as { reward: number; terminated: boolean; truncated: boolean; obs: Float32Array } | null;
        if (!r) throw new Error("the env step reported nothing");
        const ev = evaluation as { ev: EvalResult; returns: number[] } | null;
        const reset = first as Float32Array | null;
        // The s' the group stores for this step: the original stores the reset observation at an episode's end.
        const stored = faithful && reset ? reset : r.obs;
        const values = answer(f.queries, m, (prefetch ? 2 : 1) + arrayCount(f.before), stored);
        // After the values, as the group asks them: the suggestion it will likely ask next.
        const ahead = prefetch ? [computeAhead(f32(m, 1), prefetch.explore)] : [];
        return encode(
          Op.ok,
          {
            reward: r.reward,
            terminated: r.terminated,
            truncated: r.truncated,
            steps: loop.steps,
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
        if (peer.learns) loop.trainIfDue();
        // After the round, as the group asks it: the suggestion it will likely ask next.
        return encode(Op.ok, {}, prefetch ? [computeAhead(f32(m, 0, d), prefetch.explore)] : []);
      }
      case Op.save: {
        const { name, session } = fields(RequestSchemas.save, m, "save");
        own(session, "save");
        // The newest two are kept: the coordinator may resume from the one before if it dies while saving.
        const state = runDir.saveCheckpoint(Number(name.slice(5)), (dir) => loop.save(dir), 2);
        return encode(Op.ok, { state });
      }
      case Op.load: {
        const { name, session } = fields(RequestSchemas.load, m, "load");
        own(session, "load");
        // Its own checkpoint of that name, checked against its manifest (the state sent along is the same one).
        runDir.resume<LoopState>((dir, state) => loop.load(dir, state), Number(name.slice(5)));
        return encode(Op.ok);
      }
      default:
        return encode(Op.failed, { message: `unknown request ${m.op}` });
    }
  };

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
          own(fields(RequestSchemas.finish, m, "finish").session, "finish");
          learner.save(join(o.out, "final", `peer-${o.index}`), false);
          reply = encode(Op.ok);
          finished = true;
        } else {
          settlePrefetch(m);
          reply = handle(m);
        }
        if (coordinator && m.op !== Op.join) coordinator.heard = Date.now();
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
    await nc.drain().catch(() => {});
  }
}

/** A request carries exactly `n` arrays, or ProtocolError. */
function expectArrays(m: Message, n: number): void {
  if (m.arrays.length !== n) throw new ProtocolError(`request ${m.op} carries ${m.arrays.length} arrays, not ${n}`);
}
