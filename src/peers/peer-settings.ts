/**
 * Each peer's own settings, resolved: a peer entry may carry its algorithm's settings under the algorithm's key and
 * its own temperature and temperature decay; what it leaves out comes from the group's config (the section named
 * after the algorithm, as `dqn`), and a section the group lacks comes from the tuned settings of that algorithm on the task (as
 * `train --env` uses). As the original's command line, which takes one value per agent for the learning rate,
 * network and temperature (one value meaning all agents), and mixes SAC and TD3 peers in one group.
 */
import { ALGORITHMS, type Algo, type AlgoSettings } from "../agents/algorithms.js";
import { learnerAlgo, type GroupRunConfig, type PeerSpec } from "./config.js";

/** The learner a peer is built on: its algorithm and settings. */
export type LearnerSettings = AlgoSettings;

export interface ResolvedPeer {
  readonly spec: PeerSpec;
  /** The learner it is built on and its settings; null for a scripted peer. */
  readonly learner: LearnerSettings | null;
  readonly temperature: number;
  readonly temperatureDecay: number;
}

function learnerSettings(config: GroupRunConfig, spec: PeerSpec, algo: Algo): LearnerSettings {
  const sections: Partial<Record<Algo, object>> = config;
  const own: Partial<Record<Algo, object>> = spec.kind === "expert" || spec.kind === "adversary" ? {} : spec;
  const group = sections[algo] ?? ALGORITHMS[algo].hyperparameters(config.env, "tuned");
  return { algo, settings: { ...group, ...own[algo] } } as LearnerSettings;
}

export function resolvePeers(config: GroupRunConfig): ResolvedPeer[] {
  const g = config.group;
  return config.peers.map((spec) => {
    const algo = learnerAlgo(spec);
    const scripted = spec.kind === "expert" || spec.kind === "adversary";
    return {
      spec,
      learner: algo ? learnerSettings(config, spec, algo) : null,
      temperature: (!scripted && spec.temperature) || g.temperature,
      temperatureDecay: (!scripted ? spec.temperatureDecay : undefined) ?? g.temperatureDecay,
    };
  });
}

/** The config as `--print-config` shows it: every peer entry with its resolved settings. */
export function withResolvedPeers(config: GroupRunConfig): GroupRunConfig {
  const peers = resolvePeers(config).map((p): PeerSpec => {
    if (!p.learner) return p.spec;
    return {
      ...p.spec,
      [p.learner.algo]: p.learner.settings,
      temperature: p.temperature,
      temperatureDecay: p.temperatureDecay,
    } as PeerSpec;
  });
  return { ...config, peers };
}
