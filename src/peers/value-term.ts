/**
 * Value terms: the mechanisms that value each peer's suggestion when a peer chooses whom to follow (the critic,
 * trust values and agent values, and whatever comes next). Each term gives raw values of the n candidates; the
 * group divides each term by its own largest absolute value and sums the terms (Eq. 9, footnote 7), then the peer
 * policy picks from the sum.
 *
 * A term is a plugin: a registry entry (mechanisms.ts) says when it is on, what settings it takes and builds it
 * for a group; the group asks, updates, logs and checkpoints every term the same way. The built-in terms are switched by their own settings
 * (`group.critic`, `group.trust`, `group.agentValues`); a registered term is switched on by listing its name in
 * `group.terms`.
 */
import { z } from "zod";
import type { Random } from "../core/random.js";
import type { GroupRunConfig } from "./config.js";
import type { ActingPeer, Peer } from "./peer.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";
import type { ValueAnswers } from "./targets.js";

/** What a value term sees of an acting member of the group. */
export interface TermMember {
  /** Its position among all peers (the index of its own suggestion). */
  readonly index: number;
  readonly peer: ActingPeer;
  /** Its suggestion buffer: (s, followed peer, r, s') of its steps with advice. */
  readonly suggestions: SuggestionBuffer;
  /** Its current observation. */
  readonly obs: Float32Array;
}

/** What a value term is built from. */
export interface TermContext {
  readonly config: GroupRunConfig;
  readonly peers: readonly Peer[];
  readonly members: readonly TermMember[];
  readonly obsDim: number;
  /** Floats per action row (1 for a discrete action: its index). */
  readonly width: number;
  readonly discrete: boolean;
  /** The group's generator: draw from it only in `update`, in a fixed order, so runs stay reproducible. */
  readonly random: Random;
  /** Asks the peers for value estimates (give it to a TargetAccumulator: the group's placement may answer). */
  readonly answers: ValueAnswers;
}

export interface ValueTerm {
  /** Its metrics key and checkpoint entry. */
  readonly name: string;
  /** Raw values of the n suggestions (rows of `actions`, peer j's at row j) for member m, into out[0..n). */
  values(m: TermMember, actions: Float32Array, n: number, out: Float64Array): void;
  /** After every env step member m took with advice (not in solo epochs). */
  update(m: TermMember): void;
  /**
   * Whether `update` asks for value estimates only through the context's `answers` and changes nothing but the
   * group's generator and what getState returns: then a placement may run it on a saved state, restore the state
   * and know the queries the real update will ask (to fetch their answers early). Terms that do not say so are
   * answered as they ask.
   */
  readonly repeatable?: boolean;
  /** What member m's evaluation lines log under this term's name (null: nothing). */
  logged(m: TermMember): ArrayLike<number> | null;
  /** Its state for a checkpoint (JSON), and back. */
  getState(): unknown;
  setState(state: unknown): void;
}

export interface ValueTermPlugin {
  readonly name: string;
  /**
   * Its own group settings, as a zod fragment merged into the group settings when a config is validated (each
   * field optional, named after the plugin, e.g. consensusMetric); read them with pluginSettings.
   */
  readonly settings?: Readonly<Record<string, z.ZodType>>;
  /** Whether this group's config switches the term on. */
  enabled(config: GroupRunConfig): boolean;
  create(context: TermContext): ValueTerm;
}

/** The terms a config switches on, in the registry's order (mechanisms.ts: it fixes the floating-point sum). */
export function createValueTerms(terms: readonly ValueTermPlugin[], context: TermContext): ValueTerm[] {
  return terms.filter((p) => p.enabled(context.config)).map((p) => p.create(context));
}

/**
 * A plugin's own settings, read from the group settings: `shape` is the zod fragment the plugin declares as
 * `settings` (every field optional, so a config without them means the plugin's defaults), checked again here.
 */
export function pluginSettings<S extends Record<string, z.ZodType>>(
  shape: S,
  config: GroupRunConfig,
): z.infer<z.ZodObject<S>> {
  const group = config.group as Record<string, unknown>;
  return z.object(shape).parse(Object.fromEntries(Object.keys(shape).map((k) => [k, group[k]])));
}

/** A term that `group.terms` switches on (the way a registered term is enabled). */
export const listedIn =
  (name: string) =>
  (config: GroupRunConfig): boolean =>
    config.group.terms.includes(name);
