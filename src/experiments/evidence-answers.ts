/**
 * The questions the evidence experiment was run to answer, each answered from the kept runs alone (the sentences
 * of evidence.ts), so that the docs' answers move with the files and are never typed by hand.
 */
import { probabilityOfImprovement, type BootstrapOptions } from "../report/stats.js";
import { fmtInterval, labelOf, sentenceOf, type Evidence, type ScoreRow } from "./evidence.js";

interface Question {
  readonly question: string;
  /** [method, baseline] pairs whose comparison answers it. */
  readonly pairs: readonly (readonly [string, string])[];
}

const QUESTIONS: readonly Question[] = [
  {
    question: "Does peer learning as published beat the single agent as published?",
    pairs: [["peer-learning", "single-agent"]],
  },
  {
    question:
      "Does corrected peer learning beat a single agent that explores, given the same steps per agent, and given the group's whole sample budget?",
    pairs: [
      ["peer-learning-corrected", "single-agent-corrected"],
      ["peer-learning-corrected", "single-agent-equal-samples"],
    ],
  },
  {
    question: "Does it matter whose advice is followed (corrected peer learning against corrected random advice)?",
    pairs: [["peer-learning-corrected", "random-advice-corrected"]],
  },
  {
    question: "Does random advice beat a single agent that explores?",
    pairs: [
      ["random-advice-corrected", "single-agent-corrected"],
      ["random-advice-corrected", "single-agent-equal-samples"],
    ],
  },
];

/** One task's answers as markdown: each question with the sentences its runs give, or what is missing. */
export function answersMarkdown(
  rows: readonly ScoreRow[],
  ev: Evidence,
  task: string,
  paper: (method: string) => string,
  o: BootstrapOptions = {},
): string {
  const scores = (method: string): number[] =>
    rows.filter((r) => r.task === task && r.method === method && Number.isFinite(r.score)).map((r) => r.score);
  const out = [`**What the ${task} runs say**`, ""];
  for (const q of QUESTIONS) {
    const answers = q.pairs.map(([method, baseline]) => {
      const x = scores(method);
      const y = scores(baseline);
      if (x.length === 0 || y.length === 0)
        return `Not run yet: ${labelOf(x.length === 0 ? method : baseline)} has no finished run.`;
      const kept = ev.comparisons.find((c) => c.task === task && c.method === method && c.baseline === baseline);
      return (
        kept?.sentence ?? sentenceOf(method, baseline, probabilityOfImprovement([x], [y], o), [x.length, y.length])
      );
    });
    out.push(`- ${q.question} ${answers.join(" ")}`);
  }
  const beside = ev.methods
    .filter((m) => m.task === task && paper(m.method) !== "")
    .map((m) => `${m.label}: ${paper(m.method)} in the paper, IQM ${fmtInterval(m.iqm)} here`);
  if (beside.length > 0)
    out.push(
      `- Beside the paper (its figure: mean ± std over its seeds at its full budget; ours at the budget above): ${beside.join("; ")}.`,
    );
  return `${out.join("\n")}\n`;
}

/**
 * Fig. 4's question from runs.csv's follow shares ("0:a/b/c 1:..." per learner, cumulative over training):
 * how often the learners followed the adversary, the last peer, against a uniform choice among all peers.
 */
export function adversaryMarkdown(runsCsv: string, task: string): string {
  const [head, ...lines] = runsCsv.trim().split("\n");
  const cols = head.split(",");
  const at = (name: string): number => cols.indexOf(name);
  const shares: number[] = [];
  let peers = 0;
  for (const line of lines) {
    const cells = line.split(",");
    if (cells[at("task")] !== task || cells[at("method")] !== "adversarial") continue;
    for (const learner of (cells[at("follow_shares")] ?? "").split(" ").filter(Boolean)) {
      const row = learner.split(":")[1]?.split("/").map(Number) ?? [];
      if (row.length < 2 || row.some((x) => !Number.isFinite(x))) continue;
      peers = row.length;
      shares.push(row[row.length - 1]);
    }
  }
  if (shares.length === 0) return "";
  const pct = (x: number): string => `${Math.round(100 * x)}%`;
  const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
  return `**What the ${task} runs say**\n\n- Does the group learn to ignore the adversary? Over training, the learners followed the adversary in ${pct(mean)} of their decisions on average (${pct(Math.min(...shares))} to ${pct(Math.max(...shares))} over ${shares.length} learners), against ${pct(1 / peers)} for a uniform choice among the ${peers} peers.\n`;
}
