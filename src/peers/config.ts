/**
 * The configuration of a peer learning run: the env, the peers, their algorithms' settings (a section per
 * algorithm of the table, agents/algorithms.ts), and the group's mechanisms,
 * peer policy and schedule. Every field is documented where it is declared; `peerlearn train --preset P
 * --print-config` shows them all resolved.
 */
import { z } from "zod";
import { tableShape, type FieldHint } from "../config/validate.js";
import { UserError, didYouMean } from "../core/errors.js";
import { envActions, type ActionKind } from "../envs/registry.js";
import { ALGORITHMS, ALGOS, REGISTERED, actionSpaceProblem, isAlgo, type SchemaOf } from "../agents/algorithms.js";
import { MAX_STEPS, RUN_FIELDS, batchSize, bufferSize, netArch, type Algo } from "../agents/config.js";
import { PEER_POLICIES } from "./peer-policy.js";
import { SCHEDULES } from "./schedule.js";
import { TEACHING_REWARDS } from "./lectr-reward.js";

/** The terms with a switch of their own in the group settings. */
/** The value terms switched by their own group field, not listed in group.terms. */
export const BUILT_IN_TERMS = ["critic", "trust", "agentValues"];

const positiveInt = z.number().int().positive();

/** A settings schema with every field optional (what `.partial()` makes of it). */
type PartialSchema<S> =
  S extends z.ZodObject<infer Shape, infer Config>
    ? z.ZodObject<{ [K in keyof Shape]: z.ZodOptional<Shape[K]> }, Config>
    : never;

/** A peer entry's own settings section per algorithm: what it leaves out comes from the group's section. */
const peerSections = tableShape<{ [A in Algo]: z.ZodOptional<PartialSchema<SchemaOf<A>>> }>(
  REGISTERED.map((a) => [
    a.algo,
    a.schema.partial().optional().describe(`this peer's ${a.label} settings over the group's`),
  ]),
);

/** The group's settings section per algorithm (a section it lacks comes from the tuned settings on the task). */
const groupSections = tableShape<{ [A in Algo]: z.ZodOptional<SchemaOf<A>> }>(
  REGISTERED.map((a) => [
    a.algo,
    a.schema
      .optional()
      .describe(`settings of the ${a.label} peers (and of novice and frozen peers with algo ${a.algo})`),
  ]),
);

/** A peer entry's own settings: what it leaves out comes from the group's config (peer-settings.ts). */
const perPeer = {
  temperature: z.number().gt(0).optional().describe("this peer's softmax temperature T0 (default: the group's)"),
  temperatureDecay: z.number().min(0).optional().describe("this peer's temperature decay (default: the group's)"),
  ...peerSections,
};
/** The algorithms a learner peer may be built on (the algorithm table, agents/algorithms.ts). */
export const LEARNER_ALGOS = ALGOS as [Algo, ...Algo[]];
const algo = z.enum(LEARNER_ALGOS).optional().describe("the learner it is built on (default dqn)");

/** A learner peer of each registered algorithm: `{ "kind": "dqn" }`, ... */
const [firstLearner, ...otherLearners] = REGISTERED.map((a) =>
  z.object({ kind: z.literal(a.algo), ...perPeer }).strict(),
);

export const PeerSpecSchema = z.discriminatedUnion("kind", [
  firstLearner,
  ...otherLearners,
  z.object({ kind: z.literal("novice"), algo, ...perPeer }).strict(),
  z
    .object({
      kind: z.literal("frozen"),
      algo,
      checkpoint: z
        .string()
        .min(1)
        .max(4096)
        .describe("a model.safetensors written by peerlearn for this learner kind, or an ONNX policy (.onnx)"),
      ...perPeer,
    })
    .strict(),
  z.object({ kind: z.literal("expert") }).strict(),
  z.object({ kind: z.literal("adversary") }).strict(),
]);
export type PeerSpec = z.infer<typeof PeerSpecSchema>;

export const GroupSettingsSchema = z
  .object({
    critic: z.boolean().describe("critic term: the asker's own Q of each suggested action (Eq. 3)"),
    trust: z.boolean().describe("trust values: local, per peer (Eq. 4)"),
    agentValues: z.boolean().describe("agent values: shared by the group (Eq. 6-7)"),
    advantage: z.boolean().describe("targets r + gamma V(s') - V(s) instead of r + gamma V(s') (Eq. 8 vs 5)"),
    peerPolicy: z.enum(PEER_POLICIES).describe("how the peer to follow is picked from the values"),
    temperature: z.number().min(0).describe("softmax temperature T0"),
    temperatureDecay: z.number().min(0).describe("lambda in T0 exp(-lambda epoch)"),
    epsilon: z.number().min(0).max(1).describe("exploration of the epsilon-greedy peer policy"),
    followSteps: positiveInt.describe("steps a chosen peer is followed before choosing again"),
    peersSampleWithNoise: z.boolean().describe("other peers' suggestions include their exploration"),
    trustLr: z.number().gt(0).max(1).describe("learning rate of trust and agent values (published runs: 0.001)"),
    initialTrust: z.number().describe("initial trust values"),
    initialAgentValue: z.number().describe("initial agent values"),
    suggestionBufferSize: positiveInt.describe("capacity of each peer's suggestion buffer"),
    valueBatchSize: positiveInt.describe("samples per trust update; agent values take batch // peers from each peer"),
    schedule: z.enum(SCHEDULES).describe("roundRobin (the original) or lockstep (all peers step together)"),
    parallelTraining: z
      .boolean()
      .describe("lockstep only: each learning peer trains in its own thread (same results, faster)"),
    minEpochLength: z.number().int().min(0).describe("an epoch is max(minEpochLength, the env's step limit) steps"),
    maxPeerEpochs: positiveInt.describe("peer epochs before peers train alone (Early Advising's budget)"),
    switchRatio: z.number().min(0).describe("alternation of solo and peer epochs (0: always peer epochs)"),
    useTrustBuffer: z
      .boolean()
      .describe("trust moves towards a batch of the suggestion buffer (false: the latest transition only)"),
    sampleRandomActions: z
      .boolean()
      .describe("the original's switch: the peer policy's epsilon becomes 1 (epsilon-greedy: a random peer)"),
    adviceTimeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("peers run by `peerlearn peer`: ms a peer may take to answer before it is left out"),
    terms: z
      .array(z.string())
      .describe("value terms registered by name (registerValueTerm) to add to the built-in ones"),
  })
  .strict();

export const LectrSettingsSchema = z
  .object({
    reward: z
      .enum(TEACHING_REWARDS)
      .describe("teaching reward: veg (LeCTR's recommendation), jvg, qtr, lg, lgg or tdg"),
    threshold: z.number().describe("VEG's threshold on the student's Q(o, a)"),
    phaseLength: positiveInt.describe(
      "a student's env steps per Phase I (advising policies fixed), then Phase II trains them",
    ),
    netArch: netArch.describe("hidden layers of the student and teacher policies"),
    learningRate: z.number().positive().describe("Adam learning rate of the advising policies"),
    batchSize: batchSize.describe("advising-level transitions per gradient step"),
    bufferSize: bufferSize.describe("advising-level replay capacity per policy"),
    gamma: z.number().min(0).max(1).describe("advising-level discount"),
    explorationFraction: z
      .number()
      .gt(0)
      .max(1)
      .describe("share of the run over which the advising policies' epsilon decays from 1"),
    explorationFinalEps: z.number().min(0).max(1).describe("advising policies' final epsilon"),
  })
  .strict();

export const GroupRunConfigSchema = z
  .object({
    ...RUN_FIELDS,
    steps: positiveInt.max(MAX_STEPS).describe("env steps per peer"),
    evalFreq: positiveInt.max(MAX_STEPS).describe("a peer's own env steps between its evaluations"),
    checkpointFreq: z
      .number()
      .int()
      .min(0)
      .max(MAX_STEPS)
      .describe("env steps per peer between checkpoints, taken between any two steps (0: none)"),
    variant: z
      .enum(["faithful", "corrected"])
      .describe("faithful: as the published code ran, quirks included; corrected: quirks fixed"),
    peers: z.array(PeerSpecSchema).min(1, "a group needs at least one peer").describe("the members, in order"),
    ...groupSections,
    lectr: LectrSettingsSchema.optional().describe(
      "advise the LeCTR way (student and teacher policies) instead of by peer learning's mechanisms",
    ),
    group: GroupSettingsSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.group.peerPolicy === "softmax" && c.group.temperature === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["group", "temperature"],
        message: "must be > 0 with the softmax peer policy",
      });
    }
    if (c.group.parallelTraining && c.group.schedule !== "lockstep") {
      ctx.addIssue({
        code: "custom",
        path: ["group", "parallelTraining"],
        message: "needs the lockstep schedule (round-robin trains one peer at a time)",
      });
    }
    const algos = c.peers.map(learnerAlgo).filter((a): a is Algo => a !== null);
    if (algos.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["peers"],
        message: `needs at least one peer that acts (${[...ALGOS, "novice", "frozen"].join(", ")})`,
      });
    const of = (actions: "discrete" | "continuous"): Algo[] => ALGOS.filter((a) => ALGORITHMS[a].actions === actions);
    const kinds = (actions: "discrete" | "continuous"): string =>
      of(actions)
        .map((a) => a.toUpperCase())
        .join(" or ");
    if (algos.some((a) => of("discrete").includes(a)) && algos.some((a) => of("continuous").includes(a)))
      ctx.addIssue({
        code: "custom",
        path: ["peers"],
        message: `cannot mix ${kinds("discrete")} peers (discrete actions) with ${kinds("continuous")} peers (continuous actions)`,
      });
    if (c.lectr && (c.peers.length < 2 || c.peers.some((p) => p.kind !== "dqn"))) {
      ctx.addIssue({
        code: "custom",
        path: ["lectr"],
        message: "needs a group of 2 or more dqn peers (LeCTR advises between learning DQN peers)",
      });
    }
    if (c.lectr && c.group.parallelTraining)
      ctx.addIssue({ code: "custom", path: ["group", "parallelTraining"], message: "is not implemented with LeCTR" });
    c.peers.forEach((p, i) => {
      const own = learnerAlgo(p);
      for (const section of LEARNER_ALGOS)
        if (section in p && section !== own)
          ctx.addIssue({
            code: "custom",
            path: ["peers", i, section],
            message: own
              ? `a ${p.kind} peer${p.kind === own ? "" : ` built on ${own.toUpperCase()}`} takes ${own} settings only, not ${section}`
              : `a scripted ${p.kind} peer has no learner settings`,
          });
    });
    // What the env allows: known from the registry without making the env (envActions).
    let actions: ActionKind | null = null;
    try {
      actions = envActions(c.env, c.envOptions);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      ctx.addIssue({ code: "custom", path: ["env"], message: e.message });
      return;
    }
    c.peers.forEach((p, i) => {
      const a = learnerAlgo(p);
      const what = `a ${p.kind} peer${p.kind === a ? "" : ` built on ${a?.toUpperCase()}`}`;
      const problem =
        a && actions ? actionSpaceProblem(a, actions, what, c.env, (fitting) => `use ${fitting} peers there`) : null;
      if (problem) ctx.addIssue({ code: "custom", path: ["peers", i], message: problem });
      if ((p.kind === "expert" || p.kind === "adversary") && !c.env.startsWith("Room-"))
        ctx.addIssue({
          code: "custom",
          path: ["peers", i],
          message: `scripted ${p.kind} peers exist for the Room tasks only, not ${c.env}`,
        });
    });
  });

/** Declared and documented once, in the schemas above. */
export type GroupSettings = z.infer<typeof GroupSettingsSchema>;
export type GroupRunConfig = z.infer<typeof GroupRunConfigSchema>;

/** The published peer learning settings (Room: all mechanisms with advantage, softmax at T 1, follow 10 steps). */
export const PEER_LEARNING_GROUP: GroupSettings = {
  critic: true,
  trust: true,
  agentValues: true,
  advantage: true,
  peerPolicy: "softmax",
  temperature: 1,
  temperatureDecay: 0,
  epsilon: 0.2,
  followSteps: 10,
  peersSampleWithNoise: true,
  trustLr: 0.001,
  initialTrust: 200,
  initialAgentValue: 200,
  suggestionBufferSize: 1000,
  valueBatchSize: 10,
  schedule: "roundRobin",
  parallelTraining: false,
  minEpochLength: 10_000,
  maxPeerEpochs: 100_000_000,
  switchRatio: 0,
  terms: [],
  useTrustBuffer: true,
  sampleRandomActions: false,
};

/** Whether a frozen peer's checkpoint is an ONNX policy (it then answers suggestions only: onnx-peer.ts). */
export const isOnnxCheckpoint = (checkpoint: string): boolean => checkpoint.toLowerCase().endsWith(".onnx");

/** The learner a peer entry is built on (null for the peers that only answer: scripted ones, ONNX experts). */
export function learnerAlgo(spec: PeerSpec): Algo | null {
  if (isAlgo(spec.kind)) return spec.kind;
  if (spec.kind === "frozen" && isOnnxCheckpoint(spec.checkpoint)) return null;
  if (spec.kind === "novice" || spec.kind === "frozen") return spec.algo ?? "dqn";
  return null;
}

/** Where an unknown field of a group config belongs, or what it is close to. */
export const groupFieldHint: FieldHint = (key, path) => {
  if (path.length === 0 && key in GroupSettingsSchema.shape)
    return ` (it belongs under group: group.${key}, e.g. --set group.${key}=...)`;
  const shape: Record<string, unknown> =
    path.length === 0
      ? GroupRunConfigSchema.shape
      : path[0] === "group" && path.length === 1
        ? GroupSettingsSchema.shape
        : {};
  return didYouMean(key, Object.keys(shape));
};
