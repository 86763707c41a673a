/**
 * Fuzzing the command line in this process (fast-check): argument vectors built from the CLI's own options, with
 * hostile values (negative, hex, huge, fractional, empty, `__proto__` keys, long strings) and generated config
 * files (JSON and YAML). Every case must end with exit code 0 or 2, print no stack trace and no line over 500
 * characters, and write no file outside its --out folder. Commands that would train are asked with
 * --print-config or --dry-run (training itself is covered by the end-to-end suites); random-policy plays one
 * episode.
 *
 *   PEERLEARN_FUZZ_RUNS=10000 npx vitest run test/fuzz-cli.test.ts   (default 10,000 cases)
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import { stringify as toYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/cli/main.js";

const RUNS = Number(process.env.PEERLEARN_FUZZ_RUNS ?? 10_000);
const work = mkdtempSync(join(tmpdir(), "peerlearn-fuzz-"));
const here = process.cwd();
afterAll(() => {
  process.chdir(here);
  rmSync(work, { recursive: true, force: true });
});

/** Every file under dir (relative paths). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

const numberLike = fc.constantFrom(
  "-1",
  "0",
  "1",
  "3",
  "1.5",
  "0x10",
  "1e9",
  "1e400",
  "-0",
  "NaN",
  "Infinity",
  "",
  " 7",
  "12abc",
  "99999999999999999999",
);
const words = fc.constantFrom(
  "Room-v21",
  "Room-v6",
  "Pendulum-v1",
  "Hopper-v4",
  "CartPole-v1",
  "Nope-v0",
  "room-v21/peer-learning",
  "room-v21/lectr",
  "pendulum-v1/peer-learning",
  "dqn",
  "sac",
  "td3",
  "ppo",
  "faithful",
  "corrected",
  "tuned",
  "sb3",
  "table1",
  "fig4",
  "Room-v21,Room-v21",
  "envs",
  "presets",
  "__proto__",
  "constructor",
);
const assignment = fc.oneof(
  fc.constantFrom(
    "__proto__.x=1",
    "constructor.prototype.x=1",
    "dqn.batchSize=1e9",
    "dqn.netArch=[1e9,1e9]",
    "dqn.learningRate=-1",
    "sac.learningRate=0.1",
    'lectr.reward="veg"',
    "peers=4",
    "peers=1000",
    'peers=[{"kind":"sac"},{"kind":"dqn"}]',
    "group.followSteps=0",
    'group.terms=["consensus"]',
    'group.terms=["nope"]',
    "envOptions.length=9",
    "envOptions.__proto__=1",
    "evalFreq=0x10",
    "steps=-5",
    "=1",
    "a..b=1",
    ".=.",
    "seed=4294967296",
  ),
  fc
    .tuple(
      fc.constantFrom("dqn.", "group.", "envOptions.", "", "sac.", "x."),
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 30 }),
    )
    .map(([p, k, v]) => `${p}${k}=${v}`),
);
const longString = fc.string({ minLength: 600, maxLength: 2000 });
const value = fc.oneof(numberLike, words, assignment, fc.string({ maxLength: 20 }), longString);
const option = fc.constantFrom(
  "--env",
  "--preset",
  "--algo",
  "--steps",
  "--seed",
  "--set",
  "--hyperparams",
  "--tasks",
  "--seeds",
  "--budget",
  "--workers",
  "--variant",
  "--episodes",
  "--config",
  "--out",
  "--json",
  "--help",
  "-h",
  "--debug",
  "--nope",
  "-x",
);
const pair = (names: string[], values: fc.Arbitrary<string>): fc.Arbitrary<string[]> =>
  fc.tuple(fc.constantFrom(...names), values).map(([o, v]) => [o, v]);
const flag = (names: string[]): fc.Arbitrary<string[]> => fc.constantFrom(...names).map((o) => [o]);
const noise = fc.oneof(
  fc.tuple(option, value).map(([o, v]) => [o, v]),
  option.map((o) => [o]),
  value.map((v) => [v]),
);

/** Arguments by command: a plausible base, then options of that command with hostile values, and some noise. */
const trainArgs = fc
  .tuple(
    fc.oneof(
      pair(["--env"], fc.constantFrom("Room-v21", "Room-v6", "CartPole-v1", "Pendulum-v1", "Hopper-v4", "Nope-v0")),
      pair(
        ["--preset"],
        fc.constantFrom(
          "room-v21/peer-learning",
          "room-v21/lectr",
          "room-v21/adversarial",
          "pendulum-v1/peer-learning",
          "hopper-v4/peer-learning",
          "x/y",
        ),
      ),
      pair(["--config"], fc.constant("FILE")),
    ),
    fc.array(
      fc.oneof(
        { weight: 4, arbitrary: pair(["--set"], assignment) },
        { weight: 2, arbitrary: pair(["--steps", "--seed"], numberLike) },
        pair(["--algo"], fc.constantFrom("dqn", "sac", "td3", "ppo")),
        pair(["--hyperparams"], fc.constantFrom("tuned", "sb3", "best")),
        pair(["--out"], fc.constant("OUT")),
        pair(["--config"], fc.constant("FILE")),
        flag(["--json", "--debug"]),
        noise,
      ),
      { maxLength: 5 },
    ),
  )
  .map(([base, rest]) => ["train", ...base, ...rest.flat()]);
const experimentArgs = fc
  .tuple(
    fc.constantFrom("table1", "table2", "fig4", "fig7", "nope"),
    fc.array(
      fc.oneof(
        pair(["--tasks"], fc.constantFrom("Room-v21", "Room-v21,Room-v21", "Hopper-v4,Room-v27", "Nope", "")),
        pair(["--seeds", "--workers", "--budget"], numberLike),
        pair(["--variant"], fc.constantFrom("faithful", "corrected", "both")),
        pair(["--out"], fc.constant("OUT")),
        noise,
      ),
      { maxLength: 4 },
    ),
  )
  .map(([name, rest]) => ["experiment", name, ...rest.flat()]);
const randomPolicyArgs = fc
  .tuple(
    fc.constantFrom("Room-v21", "Pendulum-v1", "Hopper-v4", "Nope-v0"),
    fc.array(
      fc.oneof(
        pair(["--seed"], numberLike),
        pair(
          ["--set"],
          fc.constantFrom("terminateWhenUnhealthy=false", "healthyZRange=[1,0]", "length=-3", "__proto__=1", "x.y=1"),
        ),
        noise,
      ),
      { maxLength: 3 },
    ),
  )
  .map(([env, rest]) => ["random-policy", env, ...rest.flat()]);
const otherArgs = fc
  .tuple(fc.constantFrom("report", "list", "help", "frobnicate", ""), fc.array(noise, { maxLength: 4 }))
  .map(([c, rest]) => [c, ...rest.flat()]);
const argvs = fc.oneof(
  { weight: 6, arbitrary: trainArgs },
  { weight: 2, arbitrary: experimentArgs },
  randomPolicyArgs,
  otherArgs,
);

/** A config file's content: a mapping of plausible and hostile fields. */
const configValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  words,
  numberLike.map(Number),
  fc.constant({ __proto__: null }),
);
const configObject = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      "env",
      "preset",
      "algo",
      "steps",
      "seed",
      "dqn",
      "group",
      "peers",
      "sac",
      "envOptions",
      "__proto__",
      "constructor",
    ),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(configValue, fc.dictionary(fc.string({ maxLength: 10 }), configValue, { maxKeys: 3 })),
  { maxKeys: 5 },
);

interface Outcome {
  code: number;
  lines: string[];
}

/** Runs the CLI in this process, capturing what it prints. */
async function run(argv: string[]): Promise<Outcome> {
  const lines: string[] = [];
  const capture = (chunk: unknown): boolean => {
    lines.push(...String(chunk).split("\n"));
    return true;
  };
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void capture(args.join(" ")));
  const out = vi.spyOn(process.stdout, "write").mockImplementation(capture);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    return { code: await runCli(argv), lines };
  } finally {
    log.mockRestore();
    out.mockRestore();
    err.mockRestore();
  }
}

const stats: string[] = [];
afterAll(() => {
  if (!process.env.PEERLEARN_FUZZ_STATS) return;
  const counts = new Map<string, number>();
  for (const s of stats) counts.set(s, (counts.get(s) ?? 0) + 1);
  writeFileSync(
    join(here, "fuzz-stats.txt"),
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${v} ${k}`)
      .join("\n"),
  );
});

describe("fuzzing the command line", () => {
  let cases = 0;
  beforeAll(() => {
    process.chdir(work);
    mkdirSync("cases");
  });

  it(`${RUNS} argument vectors and config files: exit 0 or 2, one clear line, nothing written outside --out`, async () => {
    await fc.assert(
      fc.asyncProperty(argvs, configObject, fc.boolean(), async (argv, config, yaml) => {
        const id = cases++;
        const caseDir = join("cases", String(id));
        const file = join(caseDir, yaml ? "c.yaml" : "c.json");
        mkdirSync(caseDir);
        let text: string;
        try {
          text = yaml ? toYaml(config) : JSON.stringify(config);
        } catch {
          text = "{}";
        }
        writeFileSync(file, text);
        // The config flag points at this case's file, --out at this case's folder; nothing trains.
        const args = argv
          .filter((a) => a !== "")
          .map((a) => (a === "FILE" ? file : a === "OUT" ? join(caseDir, "out") : a));
        const cmd = args[0];
        if (cmd === "train") args.push("--print-config");
        if (cmd === "experiment") args.push("--dry-run");
        if (cmd === "random-policy") args.push("--episodes", "1");
        const before = new Set(filesUnder(work));
        const { code, lines } = await run(args);
        if (process.env.PEERLEARN_FUZZ_STATS)
          stats.push(
            `${code} ${lines.find((l) => l.startsWith("peerlearn:"))?.slice(11, 60) ?? lines[0]?.slice(0, 40)}`,
          );
        const shown = `${JSON.stringify(args).slice(0, 300)} -> ${code}: ${lines.join("\n").slice(0, 600)}`;
        expect([0, 2], shown).toContain(code);
        expect(
          lines.some((l) => /^\s+at .+\(.*:\d+:\d+\)$/.test(l)),
          shown,
        ).toBe(false);
        expect(
          lines.find((l) => l.length > 500),
          shown,
        ).toBeUndefined();
        const written = filesUnder(work).filter((f) => !before.has(f) && !f.startsWith(join(caseDir, "out")));
        expect(written, shown).toEqual([]);
        rmSync(caseDir, { recursive: true, force: true });
      }),
      { numRuns: RUNS, seed: 42 },
    );
  }, 600_000);
});
