import { describe, expect, it } from "vitest";
import { SuggestionBuffer } from "../../peers/suggestion-buffer.js";
import type { PeerLinks } from "./peer-links.js";
import { Presence, type PeerInfo } from "./presence.js";
import { RemotePeer } from "./remote-peer.js";

/** A stand-in whose peer is away (its requests answer null) on links that count failures and send nothing. */
function standIn(): { peer: RemotePeer; links: { failures: number } } {
  const links = { failures: 0 };
  const presence = new Presence(1, links as unknown as PeerLinks, 1000, () => {}, new Uint8Array(8), "0".repeat(32));
  presence.present = false;
  const info: PeerInfo = {
    index: 1,
    kind: "dqn",
    learns: true,
    actionWidth: 1,
    discrete: true,
    obsDim: 2,
    gamma: 0.99,
    learningStarts: 0,
    trainFreq: 1,
    beforeStep: false,
    view: { obs: [0, 0], steps: 0, evalMeans: [], lastEval: null },
    resumed: false,
  };
  return { peer: new RemotePeer(presence, info), links };
}

describe("a remote peer's answers fetched ahead", () => {
  const rehearsed = Float32Array.of(1, 2);
  const item = {
    query: {
      peer: null as unknown as RemotePeer,
      buffer: new SuggestionBuffer(4, 2),
      k: 1,
      slots: Int32Array.of(0),
      nextObs: rehearsed,
      obs: null,
    },
    newRows: [],
  };

  it("answer the values they were rehearsed for", () => {
    const { peer } = standIn();
    peer.answered([item], [Float64Array.of(7)], 0);
    const out = new Float64Array(1);
    peer.values(Float32Array.of(1, 2), 1, out);
    expect(out[0]).toBe(7);
  });

  it("are a bug when other values are asked and no request failed since the rehearsal", () => {
    const { peer } = standIn();
    peer.answered([item], [Float64Array.of(7)], 0);
    expect(() => peer.values(Float32Array.of(3, 4), 1, new Float64Array(1))).toThrow(/other value estimates/);
  });

  it("are dropped when a request failed since the rehearsal (the updates then ask otherwise)", () => {
    const { peer, links } = standIn();
    peer.answered([item, item], [Float64Array.of(7), Float64Array.of(8)], 0);
    links.failures = 1;
    const out = Float64Array.of(-1);
    peer.values(Float32Array.of(3, 4), 1, out);
    expect(out[0]).toBe(0); // asked now: the peer is away, so it counts 0
    expect(peer.dropAhead()).toBe(false); // nothing left of the rehearsal
  });
});
