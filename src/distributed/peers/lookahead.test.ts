import { describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { getKernels } from "../../nn/kernels/select.js";
import type { DqnConfig } from "../../agents/dqn/dqn.js";
import { PeerGroup, type Member } from "../../peers/group.js";
import { findPreset } from "../../peers/presets.js";
import { validateGroupRunConfig } from "../../peers/validate-config.js";
import { Lookahead, type Rehearsal } from "./lookahead.js";

/** Three small DQN peers on Room-v6 in lockstep, all built here, with the lookahead's answers and a spy on them. */
function groupWithLookahead(preset: string) {
  const c = findPreset(preset).config;
  const config = validateGroupRunConfig({
    ...c,
    env: "Room-v6",
    steps: 1200,
    evalFreq: 400,
    evalEpisodes: 2,
    dqn: { ...(c.dqn as DqnConfig), netArch: [16], batchSize: 16, bufferSize: 5000 },
    peers: [{ kind: "dqn" }, { kind: "dqn" }, { kind: "dqn" }],
    group: { ...c.group, minEpochLength: 200, schedule: "lockstep", parallelTraining: false, valueBatchSize: 4 },
  });
  type Asked = { peer: number; k: number; next: number[]; prev: number[] | null };
  const asked: Asked[] = [];
  const lookahead = new Lookahead();
  let built: PeerGroup | null = null;
  const g = new PeerGroup(config, getKernels(), new Random(3), {
    isLocal: () => true,
    peerElsewhere: () => {
      throw new Error("every peer is built here");
    },
    loopElsewhere: () => {
      throw new Error("every peer is built here");
    },
    attach: (group) => {
      built = group;
      lookahead.attach(group);
    },
    answers: (own) =>
      lookahead.answers({
        answer(q, next, prev) {
          const rows = q.k * q.buffer.obsDim;
          const prevRows = q.obs ? Array.from(q.obs.subarray(0, rows)) : null;
          const peer = (built as PeerGroup | null)?.peers.indexOf(q.peer as never) ?? -1;
          asked.push({ peer, k: q.k, next: Array.from(q.nextObs.subarray(0, rows)), prev: prevRows });
          own.answer(q, next, prev);
        },
      }),
  });
  return { g, asked, lookahead };
}

describe("rehearsing a member's updates (a group over processes sends their value queries with the env step)", () => {
  it("finds exactly the value queries the updates then make, and changes nothing", () => {
    for (const preset of ["room-v21/peer-learning", "room-v21/peer-learning/corrected"]) {
      const { g, asked, lookahead } = groupWithLookahead(preset);
      // What a rehearsal must leave as it found it.
      const snapshot = (x: Member) => ({
        // (A word may come back signed: the same bits.)
        random: [...g.random.getState().s.map((w) => w >>> 0), g.random.getState().spareNormal],
        terms: JSON.stringify(g.terms.map((term) => term.getState())),
        buffer: [x.suggestions.mark().pos, x.suggestions.mark().count],
        stored: [x.suggestions.rewards, x.suggestions.followed, x.suggestions.obs, x.suggestions.nextObs].map((a) =>
          Array.from(a).join(","),
        ),
      });
      for (let t = 0; t < 150; t++) for (const m of g.members) g.act(m, false, 1200);
      let compared = 0;
      const choose = g.choose.bind(g);
      for (let t = 0; t < 40; t++)
        for (const m of g.members) {
          // Rehearsed where a stand-in for a remote peer does it: the action chosen, the env step to come.
          let rehearsal: Rehearsal | null = null;
          g.choose = (x) => {
            const action = choose(x);
            const before = snapshot(x);
            rehearsal = lookahead.rehearse(x.index);
            expect(snapshot(x)).toEqual(before);
            return action;
          };
          asked.length = 0;
          g.act(m, false, 1200);
          const r = rehearsal as Rehearsal | null;
          expect(r).not.toBeNull();
          if (!r) continue;
          const d = m.obs.length;
          expect(r.queries.map((q) => [g.peers.indexOf(q.peer as never), q.k])).toEqual(
            asked.map((a) => [a.peer, a.k]),
          );
          r.queries.forEach((q, i) => {
            const newRow = (row: number): boolean => q.buffer === r.buffer && q.slots[row] === r.newSlot;
            Array.from(q.nextObs).forEach((x, j) => {
              if (!newRow(Math.floor(j / d))) expect(x).toBe(asked[i].next[j]);
            });
            expect(q.obs ? Array.from(q.obs) : null).toEqual(asked[i].prev);
            compared++;
          });
        }
      expect(compared).toBeGreaterThan(100);
    }
  });
});
