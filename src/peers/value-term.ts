/**
 * Value terms: the mechanisms that value each peer's suggestion when a peer chooses whom to follow (the critic,
 * trust values and agent values, and whatever comes next). Each term gives raw values of the n candidates; the
 * group divides each term by its own largest absolute value and sums the terms (Eq. 9, footnote 7), then the peer
 * policy picks from the sum.
 *
 * A term is a plugin: a registry entry says when it is on and builds it for a group; the group asks, updates,
 * logs and checkpoints every term the same way. The built-in terms are switched by their own settings
 * (`group.critic`, `group.trust`, `group.agentValues`); a registered term is switched on by listing its name in
 * `group.terms`.
 */
import type { Random } from "../core/random.js";
import type { GroupRunConfig } from "./config.js";
import type { ActingPeer, Peer } from "./peer.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";

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
}

export interface ValueTerm {
  /** Its metrics key and checkpoint entry. */
  readonly name: string;
  /** Raw values of the n suggestions (rows of `actions`, peer j's at row j) for member m, into out[0..n). */
  values(m: TermMember, actions: Float32Array, n: number, out: Float64Array): void;
  /** After every env step member m took with advice (not in solo epochs). */
  update(m: TermMember): void;
  /**
   * Whether `update` asks for value estimates only through targets.ts and changes nothing but the group's
   * generator and what getState returns: then a group spread over processes can rehearse it ahead of a remote
   * peer's env step (group.ts) and send the queries with the step. Terms that do not say so are asked as they go.
   */
  readonly rehearsable?: boolean;
  /** What member m's evaluation lines log under this term's name (null: nothing). */
  logged(m: TermMember): ArrayLike<number> | null;
  /** Its state for a checkpoint (JSON), and back. */
  getState(): unknown;
  setState(state: unknown): void;
}

export interface ValueTermPlugin {
  readonly name: string;
  /** Whether this group's config switches the term on. */
  enabled(config: GroupRunConfig): boolean;
  create(context: TermContext): ValueTerm;
}

const registry: ValueTermPlugin[] = [];

/**
 * Adds a value term. Terms are summed in the order they were registered (the built-ins first: critic, trust,
 * agent values), which fixes the floating-point sum and the order of their updates.
 */
export function registerValueTerm(plugin: ValueTermPlugin): void {
  if (registry.some((p) => p.name === plugin.name))
    throw new Error(`a value term named "${plugin.name}" is already registered`);
  registry.push(plugin);
}

export function valueTermPlugins(): readonly ValueTermPlugin[] {
  return registry;
}

/** The terms a config switches on, in registry order. */
export function createValueTerms(context: TermContext): ValueTerm[] {
  return registry.filter((p) => p.enabled(context.config)).map((p) => p.create(context));
}

/** A term that `group.terms` switches on (the way a registered term is enabled). */
export const listedIn =
  (name: string) =>
  (config: GroupRunConfig): boolean =>
    config.group.terms.includes(name);
