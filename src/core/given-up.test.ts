import { describe, expect, it } from "vitest";
import { givenUp, goOn } from "./given-up.js";

describe("givenUp", () => {
  it("says what was given up and why, once per distinct reason", () => {
    const lines: string[] = [];
    const log = (line: string): number => lines.push(line);
    givenUp("dashboard: x left out", new Error("EACCES: permission denied"), log);
    givenUp("dashboard: x left out", new Error("EACCES: permission denied"), log);
    givenUp("dashboard: x left out", new Error("ENOENT"), log);
    expect(lines).toEqual([
      "peerlearn: dashboard: x left out (EACCES: permission denied)",
      "peerlearn: dashboard: x left out (ENOENT)",
    ]);
  });

  it("goOn says it and goes on with the fallback", async () => {
    const lines: string[] = [];
    const value = await Promise.reject(new Error("timeout")).catch(goOn("worker: no job", 7, (l) => lines.push(l)));
    expect(value).toBe(7);
    expect(lines).toEqual(["peerlearn: worker: no job (timeout)"]);
  });
});
