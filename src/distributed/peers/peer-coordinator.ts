/**
 * Peer 0 of a group spread over processes (`peerlearn peer --index 0`): it coordinates. It says hello to every
 * other learning peer until each answers (with the same config), then runs the group exactly as `train` runs a
 * lockstep group in one process (trainGroup, the same PeerGroup), with stand-ins for the peers elsewhere
 * (remote-peer.ts, remote-loop.ts); scripted peers run here. Its --out is the group's run folder (metrics,
 * summary, checkpoints of the group's state); each other peer keeps its checkpoints and final weights in its own
 * --out. At the end it tells every peer the group is done.
 */
import { randomBytes } from "node:crypto";
import { UserError, printable } from "../../core/errors.js";
import { RunDir } from "../../runs/run-dir.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import type { GroupRunConfig } from "../../peers/config.js";
import type { GroupPlacement } from "../../peers/group.js";
import { resolvePeers } from "../../peers/peer-settings.js";
import { trainGroup, type GroupSummary } from "../../peers/train-group.js";
import { Op, ProtocolError, encode } from "./peer-protocol.js";
import { PeerInfoSchema, fields } from "./peer-messages.js";
import { PeerLinks, PeerRefused, PeerUnavailable, sleepSync } from "./peer-links.js";
import { Presence, type PeerInfo } from "./presence.js";
import { Lookahead } from "./lookahead.js";
import { RemoteLoop } from "./remote-loop.js";
import { RemotePeer } from "./remote-peer.js";

export interface CoordinatorOptions {
  readonly url: string;
  readonly group: string;
  readonly out: string;
  readonly kernels: Kernels;
  readonly preset?: string;
  readonly configHash: string;
  readonly progress?: (line: string, final: boolean) => void;
  readonly log: (line: string) => void;
  /** How long to wait for every peer to answer the first time (ms). */
  readonly joinTimeoutMs?: number;
  /** Filled at the end with the requests sent to the other peers (hellos and the finish included). */
  readonly stats?: { requests: number };
}

/** A peer may take this long to answer by default before it is left out of a step. */
export const DEFAULT_ADVICE_TIMEOUT_MS = 10_000;

/** The learning peers (those with envs of their own) other than peer 0: each runs in a process of its own. */
export function remotePeerIndices(config: GroupRunConfig): number[] {
  return resolvePeers(config)
    .map((p, i) => (p.learner && i > 0 ? i : -1))
    .filter((i) => i > 0);
}

export function coordinateGroup(config: GroupRunConfig, o: CoordinatorOptions): GroupSummary {
  if (!resolvePeers(config)[0].learner)
    throw new UserError("peer 0 coordinates the group and must be a learner: list a learning peer first");
  const remote = remotePeerIndices(config);
  const timeoutMs = config.group.adviceTimeoutMs ?? DEFAULT_ADVICE_TIMEOUT_MS;
  const links = new PeerLinks(o.url, o.group, config.peers.length);
  try {
    // This coordinator's session: every peer answers one coordinator, and takes save, load and finish only from it.
    const session = randomBytes(16).toString("hex");
    const hello = encode(Op.join, { configHash: o.configHash, session });
    const presence = new Map(remote.map((i) => [i, new Presence(i, links, timeoutMs, o.log, hello, session)]));
    const infos = new Map<number, PeerInfo>();
    const started = Date.now();
    let said = 0;
    // A peer that answers another coordinator: one that was killed goes quiet and the peer takes this one after
    // its staleness limit (peer-server.ts); one that is alive keeps it, and this second coordinator gives up.
    const refusedSince = new Map<number, number>();
    const giveUpMs = Math.max(3000, timeoutMs) + 2000;
    while (infos.size < remote.length) {
      for (const i of remote) {
        if (infos.has(i)) continue;
        try {
          const info = fields(PeerInfoSchema, links.request(i, hello, 2000), `peer ${i}'s hello`);
          if (info.index !== i) throw new ProtocolError(`peer ${i} says it is peer ${info.index}`);
          infos.set(i, info as PeerInfo);
          refusedSince.delete(i);
          o.log(`peerlearn peer 0: peer ${i} joined`);
        } catch (e) {
          if (e instanceof PeerRefused && e.code === "coordinated") {
            const since = refusedSince.get(i);
            if (since === undefined) {
              refusedSince.set(i, Date.now());
              o.log(
                `peerlearn peer 0: peer ${i} answers another peer 0 of group ${o.group}: waiting to see whether it is gone`,
              );
            } else if (Date.now() - since > giveUpMs) throw new UserError(e.message);
          } else if (e instanceof ProtocolError)
            o.log(`peerlearn peer 0: peer ${i} answered the hello wrongly (${printable(e.message)}): asking again`);
          else if (!(e instanceof PeerUnavailable)) throw e;
        }
      }
      if (infos.size === remote.length) break;
      const waited = Date.now() - started;
      if (waited > (o.joinTimeoutMs ?? 600_000))
        throw new UserError(
          `peers ${remote.filter((i) => !infos.has(i)).join(", ")} did not join group ${o.group} within ${Math.round(waited / 1000)} s: start \`peerlearn peer --index I\` for each`,
        );
      if (waited - said > 10_000 || said === 0) {
        said = waited || 1;
        o.log(
          `peerlearn peer 0: waiting for peers ${remote.filter((i) => !infos.has(i)).join(", ")} of group ${o.group} (start \`peerlearn peer --nats URL --group ${o.group} --index I\` with the same settings)`,
        );
      }
      sleepSync(250);
    }
    // A peer back from a checkpoint of its own while peer 0 starts afresh would train on from a state the group
    // never had: refused (when peer 0 resumes, it makes every peer load its own checkpoint of the same name).
    const resumes = new RunDir(o.out).latestCheckpoint() !== null || new RunDir(o.out).isComplete();
    const ahead = [...infos.values()].filter((info) => info.resumed && !resumes).map((info) => info.index);
    if (ahead.length > 0)
      throw new UserError(
        `peer${ahead.length > 1 ? "s" : ""} ${ahead.join(", ")} resumed from a checkpoint of its own, but peer 0 starts afresh (${o.out} has no checkpoint): give ${ahead.length > 1 ? "them fresh --out folders" : "it a fresh --out"}, or peer 0 the --out it had`,
      );
    const lookahead = new Lookahead();
    const placement: GroupPlacement = {
      isLocal: (i) => !presence.has(i),
      peerElsewhere: (i) => new RemotePeer(presence.get(i) as Presence, infos.get(i) as PeerInfo),
      loopElsewhere: (i, peer, hooks, maxEpisodeSteps) =>
        new RemoteLoop(peer as RemotePeer, hooks, maxEpisodeSteps, lookahead, i),
      answers: (own) => lookahead.answers(own),
      attach: (group) => lookahead.attach(group),
      beforeStep: (i) => lookahead.beforeStep(i),
      holdsUpdates: (i) => lookahead.holdsUpdates(i),
    };
    const summary = trainGroup(config, {
      out: o.out,
      kernels: o.kernels,
      preset: o.preset,
      progress: o.progress,
      placement,
    });
    for (const [i, p] of presence)
      if (p.ask(encode(Op.finish, { session }), 60_000) === null) o.log(`peer ${i} was not there at the end`);
    if (o.stats) o.stats.requests = links.sent;
    return summary;
  } finally {
    links.close();
  }
}
