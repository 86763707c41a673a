/** `peerlearn train`: one agent on one env, with progress on stderr and a summary (JSON with --json) at the end. */
import type { ParseArgsConfig } from "node:util";
import { integerOption, parseCommand } from "./args.js";
import { ensureDir } from "../core/folders.js";
import { NO_EVALUATION, adaptEvalFreq, configTag, startHint } from "./run-defaults.js";
import { startDashboardThread } from "../dashboard/dashboard-thread.js";
import { UserError, oneOf } from "../core/errors.js";
import { actionSpaceProblem, actionsOf, isAlgo } from "../agents/algorithms.js";
import { ALGOS, defaultRunConfig, validateRunConfig, type Algo, type HyperparameterSet } from "../agents/config.js";
import { AgentRun, type RunConfig } from "../agents/train.js";
import { make, prepareEnv, resolveEnvOptions } from "../envs/registry.js";
import { getKernels } from "../nn/kernels/select.js";
import { findPreset } from "../peers/presets.js";
import { checkKey, checkPlainData, configAssignments, loadConfigFile, type ConfigObject } from "../config/load.js";
import { type GroupRunConfig, type PeerSpec } from "../peers/config.js";
import { validateGroupRunConfig } from "../peers/validate-config.js";
import type { GroupSummary } from "../peers/train-group.js";
import { GroupRun } from "../peers/group-run.js";
import { drive } from "./drive.js";
import { withResolvedPeers } from "../peers/peer-settings.js";
import { usePrecision } from "../nn/kernels/precision.js";

export const TRAIN_USAGE = `  train                 train one agent (--env) or a peer group (--preset)
      --preset NAME     a paper experiment (see \`peerlearn list presets\`), e.g. room-v21/peer-learning
      --env ID          environment (see \`peerlearn list envs\`) for a single agent
      --config FILE     a JSON or YAML file of settings: preset or env (and algo) as the base, any other
                        field overrides it (as --set does; --steps, --seed and --set on the command line win)
      --algo A          dqn (default), sac or td3
      --steps N         env steps (default: 1,000,000 on Room and MuJoCo, else 100,000); a run too short for
                        10 evaluations evaluates every tenth of it, every 1,000 steps at most, unless
                        evalFreq is set (--print-config shows it)
      --seed K          seed (default 0)
      --out DIR         run folder (default runs/<env>-<algo>-seed<K>-<config hash> or
                        runs/<preset>-seed<K>-<config hash>, so other settings never share one); an unfinished
                        run there resumes from its last checkpoint, a finished one prints its summary
      --hyperparams H   tuned (default: the paper's settings on Room/Hallway and MuJoCo, the RL Zoo's on
                        CartPole, Pendulum and MountainCarContinuous) or sb3 (SB3 1.5's defaults)
      --set KEY=VALUE   override any setting, e.g. --set dqn.learningRate=1e-3 --set evalFreq=5000
                        --set envOptions.length=9 (repeatable; values are JSON or plain strings)
      --print-config    print the resolved config and exit
      --json            print the summary as one JSON object on the last line
      --dashboard       serve a live page of the run on http://127.0.0.1:8080/ while it trains
      --port P          the dashboard's port (default 8080; 0: any free port, printed)`;

/** Applies `path=value` to a nested object (creating objects along the path). */
export function applyOverride(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new UserError(`--set expects KEY=VALUE, got ${JSON.stringify(assignment)}`);
  const path = assignment.slice(0, eq).split(".");
  for (const key of path) {
    if (key === "") throw new UserError(`--set ${JSON.stringify(assignment.slice(0, eq))}: a field name is empty`);
    checkKey(key, `--set ${assignment.slice(0, eq)}`);
  }
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  checkPlainData(value, `--set ${assignment.slice(0, eq)}`);
  // A bare field name of the algorithm's section is a shortcut for <algo>.<field> (e.g. learningRate).
  const section = typeof target.algo === "string" ? target[target.algo] : undefined;
  if (
    path.length === 1 &&
    !(path[0] in target) &&
    typeof section === "object" &&
    section !== null &&
    path[0] in section
  )
    path.unshift(target.algo as string);
  const head = path[0];
  if (path.length > 1 && !Object.hasOwn(target, head)) {
    const has = Object.keys(target).filter(
      (k) => typeof target[k] === "object" && target[k] !== null && !Array.isArray(target[k]),
    );
    throw new UserError(
      `--set ${path.join(".")}: this config has no ${JSON.stringify(head)} section (it has ${has.join(", ") || "none"}); give a whole section as --set '${head}={...}'`,
    );
  }
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

const TRAIN_OPTIONS = {
  config: { type: "string" },
  preset: { type: "string" },
  env: { type: "string" },
  algo: { type: "string", default: "dqn" },
  steps: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  hyperparams: { type: "string", default: "tuned" },
  set: { type: "string", multiple: true, default: [] },
  "print-config": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  dashboard: { type: "boolean", default: false },
  port: { type: "string" },
} satisfies NonNullable<ParseArgsConfig["options"]>;

interface TrainFlags {
  config?: string;
  /** The config file's fields (beside preset, env and algo): applied before --steps, --seed and --set. */
  file?: ConfigObject;
  preset?: string;
  env?: string;
  algo: string;
  steps?: string;
  seed?: string;
  out?: string;
  hyperparams: string;
  set: string[];
  "print-config": boolean;
  json: boolean;
  dashboard: boolean;
  port?: string;
}

/**
 * The flags, with a --config file folded in: its preset/env/algo act as those flags, its other fields are applied
 * before --steps, --seed and --set (the command line wins).
 */
function parseTrainFlags(args: string[]): TrainFlags {
  const values = parseCommand(args, TRAIN_OPTIONS).values as unknown as TrainFlags;
  if (values.preset !== undefined && args.some((a) => a === "--algo" || a.startsWith("--algo=")))
    throw new UserError(
      "--algo applies to --env runs; a preset names its peers' algorithm (change it with --set peers=...)",
    );
  if (values.config === undefined) return values;
  return { ...values, ...flagsFromConfig(loadConfigFile(values.config), values) };
}

/** What a config object means as train flags (also used on parsed text by the config fuzz test). */
export function flagsFromConfig(
  file: ConfigObject,
  given: TrainFlags,
): Pick<TrainFlags, "preset" | "env" | "algo" | "file"> {
  const { preset, env, algo, ...rest } = file;
  const str = (name: string, v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw new UserError(`config field ${name} must be a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const p = str("preset", preset) ?? given.preset;
  const e = str("env", env);
  if (p !== undefined && algo !== undefined)
    throw new UserError(
      `a config file with preset: takes no algo: (the preset names its peers' algorithm; change them with peers: [...]); algo: goes with env:`,
    );
  if (p !== undefined && "peers" in rest && !Array.isArray(rest.peers))
    throw new UserError(`config field peers must be a list, got ${JSON.stringify(rest.peers)}`);
  if (p === undefined && ("peers" in rest || "group" in rest))
    throw new UserError('a peer group config needs "preset: <name>" as its base (see `peerlearn list presets`)');
  return {
    preset: p,
    env: p !== undefined ? given.env : (e ?? given.env),
    algo: str("algo", algo) ?? given.algo,
    file: p !== undefined && e !== undefined ? { env: e, ...rest } : rest,
  };
}

/** The file's fields, then --steps and --seed, then --set: what is typed last wins. */
function applyCommandLine(draft: Record<string, unknown>, flags: TrainFlags): void {
  for (const s of configAssignments(flags.file ?? {}, draft)) applyOverride(draft, s);
  if (flags.steps !== undefined) draft.steps = integerOption("steps", flags.steps, 0, 1, 1e12);
  if (flags.seed !== undefined) draft.seed = integerOption("seed", flags.seed, 0, 0, 2 ** 32 - 1);
  for (const s of flags.set) applyOverride(draft, s);
  const chosen = flags.set.some((s) => s.startsWith("evalFreq=")) || "evalFreq" in (flags.file ?? {});
  if (!chosen) adaptEvalFreq(draft);
}

/**
 * `peers=N` (a number) as a shortcut for N learners of the preset's learner kind (its first dqn or sac peer), e.g.
 * `--set peers=4`.
 */
function expandPeerCount(draft: Record<string, unknown>, before: readonly PeerSpec[], preset: string): void {
  const n = draft.peers;
  if (typeof n !== "number") return;
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new UserError(`peers must be a list of peers or an integer from 1 to 100 (that many learners), got ${n}`);
  // N learners of one kind: a preset whose group is made of several kinds (scripted peers, SAC beside TD3) would
  // lose its make-up, so it takes the whole list instead.
  const kinds = [...new Set(before.map((p) => p.kind))];
  if (kinds.length > 1)
    throw new UserError(
      `peers=${n} makes ${n} learners of one kind, but ${preset}'s group is ${before.map((p) => p.kind).join(", ")}: give the whole list, e.g. --set 'peers=${JSON.stringify(before)}'`,
    );
  const only = kinds[0] ?? "";
  const learner = isAlgo(only) ? only : (ALGOS.find((a) => draft[a] !== undefined) ?? ALGOS[0]);
  draft.peers = Array.from({ length: n }, () => ({ kind: learner }));
}

/** A peer group run from a preset, with --steps, --seed and --set applied. */
export async function resolveGroupConfig(
  args: string[],
): Promise<{ config: GroupRunConfig; preset: string; out: string; json: boolean; printConfig: boolean }> {
  const values = parseTrainFlags(args);
  const preset = values.preset as string;
  if (values.env !== undefined) throw new UserError("use either --preset or --env, not both (a preset names its env)");
  const base = findPreset(preset).config;
  const draft = structuredClone(base) as unknown as Record<string, unknown>;
  applyCommandLine(draft, values);
  expandPeerCount(draft, base.peers, preset);
  const config = validateGroupRunConfig(draft);
  resolveEnvOptions(config.env, config.envOptions);
  await prepareEnv(config.env);
  const out = values.out ?? `runs/${preset.replaceAll("/", "_")}-seed${config.seed}-${configTag(config)}`;
  return { config, preset, out, json: values.json, printConfig: values["print-config"] };
}

export async function resolveTrainConfig(
  args: string[],
): Promise<{ config: RunConfig; out: string; json: boolean; printConfig: boolean }> {
  const values = parseTrainFlags(args);
  if (!values.env)
    throw new UserError("train needs --preset (see `peerlearn list presets`) or --env (see `peerlearn list envs`)");
  if (!(ALGOS as readonly string[]).includes(values.algo))
    throw new UserError(`--algo must be ${oneOf(ALGOS)}, got ${JSON.stringify(values.algo)}`);
  if (values.hyperparams !== "tuned" && values.hyperparams !== "sb3") {
    throw new UserError(`--hyperparams must be one of "tuned", "sb3", got ${JSON.stringify(values.hyperparams)}`);
  }
  resolveEnvOptions(values.env); // an unknown env fails here, with the list of envs
  const draft = defaultRunConfig(
    values.env,
    values.hyperparams as HyperparameterSet,
    values.algo as Algo,
  ) as unknown as Record<string, unknown>;
  applyCommandLine(draft, values);
  const config = validateRunConfig(draft);
  resolveEnvOptions(config.env, config.envOptions);
  await prepareEnv(config.env);
  const kind = make(config.env, config.envOptions).actionSpace.kind;
  const what = config.algo.toUpperCase();
  const problem = actionSpaceProblem(config.algo, actionsOf(kind), what, config.env, (a) => `use --algo ${a}`);
  if (problem) throw new UserError(problem);
  const out = values.out ?? `runs/${config.env}-${config.algo}-seed${config.seed}-${configTag(config)}`;
  return { config, out, json: values.json, printConfig: values["print-config"] };
}

/** With --dashboard: the live page of the run folder, served from a thread of its own while training runs here. */
export async function maybeDashboard(args: string[], out: string): Promise<string | null> {
  const flags = parseTrainFlags(args);
  if (flags.port !== undefined && !flags.dashboard) throw new UserError("--port is the dashboard's: add --dashboard");
  if (!flags.dashboard) return null;
  const port = integerOption("port", flags.port, 8080, 0, 65535);
  const url = await startDashboardThread({ folders: [out], port, host: "127.0.0.1" });
  process.stderr.write(`peerlearn dashboard: ${url}\n`);
  return url;
}

/**
 * After training with --dashboard at a terminal: the page stays up (it would vanish with the process) until
 * Ctrl-C. In a script (no terminal) the command ends as without it.
 */
export function holdDashboard(url: string | null): void {
  if (!url || !process.stdin.isTTY) return;
  process.stderr.write(`peerlearn: training finished; the dashboard stays at ${url} until Ctrl-C\n`);
  setInterval(() => {}, 1 << 30);
}

/** Progress on stderr: one rewritten line on a terminal, a line every 15 s otherwise. */
export function progressPrinter(): (line: string, final: boolean) => void {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return (line, final) => {
    if (tty) process.stderr.write(`\r${line}\u001b[K${final ? "\n" : ""}`);
    else if (final || performance.now() - last > 15_000) {
      last = performance.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

export function formatGroupSummary(s: GroupSummary): string {
  const lines = [
    `${s.preset ?? s.env} (${s.variant})  seed ${s.seed}  ${s.steps} steps per peer  ${s.wallSeconds.toFixed(1)} s, ${s.stepsPerSecond.toFixed(0)} env steps/s`,
  ];
  lines.push("peer  kind       last eval          avg reward over time   follow share");
  for (const p of s.peers) {
    const ev = p.lastEval ? `${p.lastEval.mean.toFixed(2)} +- ${p.lastEval.std.toFixed(2)}` : "-";
    const share = p.followShare ? p.followShare.map((x) => `${(100 * x).toFixed(0)}%`).join(" / ") : "-";
    lines.push(
      `${String(p.index).padEnd(6)}${p.kind.padEnd(11)}${ev.padEnd(19)}${(p.averageRewardOverTime?.toFixed(2) ?? "-").padEnd(23)}${share}`,
    );
  }
  lines.push(
    `learners' average reward over time: ${s.averageRewardOverTime?.toFixed(2) ?? `- (${NO_EVALUATION})`}; metrics in ${s.out}/metrics.jsonl`,
  );
  return lines.join("\n");
}

async function trainGroupCommand(args: string[]): Promise<void> {
  const { config, preset, out, json, printConfig } = await resolveGroupConfig(args);
  if (printConfig) {
    // Every peer with its resolved settings (what it leaves out comes from the group's config).
    console.log(JSON.stringify(withResolvedPeers(config), null, 2));
    return;
  }
  const kernels = getKernels();
  usePrecision(kernels, config.precision); // a refusal before the run folder exists
  ensureDir(out);
  const dashboard = await maybeDashboard(args, out);
  process.stderr.write(
    `peerlearn train: ${preset} (${config.variant}), seed ${config.seed}, ${config.steps} steps per peer, ${config.group.schedule}, kernels ${kernels.name} (${kernels.variant}), out ${out}\n${startHint(out)}\n`,
  );
  const run = new GroupRun(config, { out, kernels, preset, progress: progressPrinter() });
  await drive(run, "steps per peer", config.steps);
  const summary = run.finish();
  console.log(formatGroupSummary(summary));
  if (json) console.log(JSON.stringify(summary));
  holdDashboard(dashboard);
}

export async function trainCommand(args: string[]): Promise<void> {
  if (parseTrainFlags(args).preset !== undefined) return trainGroupCommand(args);
  const { config, out, json, printConfig } = await resolveTrainConfig(args);
  if (printConfig) {
    console.log(JSON.stringify(config, null, 2));
    return;
  }
  const kernels = getKernels();
  usePrecision(kernels, config.precision); // a refusal before the run folder exists
  ensureDir(out);
  const dashboard = await maybeDashboard(args, out);
  process.stderr.write(
    `peerlearn train: ${config.env}, ${config.algo}, seed ${config.seed}, ${config.steps} steps, kernels ${kernels.name} (${kernels.variant}), out ${out}\n${startHint(out)}\n`,
  );
  const run = new AgentRun(config, { out, kernels, progress: progressPrinter() });
  await drive(run, "steps", config.steps);
  const summary = run.finish();
  const ev = summary.lastEval;
  console.log(
    [
      `env ${summary.env}  algo ${summary.algo}  seed ${summary.seed}  steps ${summary.steps}${summary.resumedFrom !== null ? ` (resumed at ${summary.resumedFrom})` : ""}`,
      `last evaluation ${ev ? `${ev.mean.toFixed(3)} +- ${ev.std.toFixed(3)}` : "-"}   average reward over time ${summary.averageRewardOverTime?.toFixed(3) ?? `- (${NO_EVALUATION})`}`,
      `${summary.wallSeconds.toFixed(1)} s, ${summary.stepsPerSecond.toFixed(0)} steps/s; metrics in ${out}/metrics.jsonl`,
    ].join("\n"),
  );
  if (json) console.log(JSON.stringify(summary));
  holdDashboard(dashboard);
}
