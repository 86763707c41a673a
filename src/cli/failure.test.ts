import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { DivergenceError } from "../agents/agent.js";
import { MAX_MESSAGE, describeFailure } from "./failure.js";

describe("the CLI's error path", () => {
  it("gives a user's mistake one capped line and exit code 2", () => {
    const r = describeFailure(new UserError(`bad field ${"x".repeat(5000)}\nsecond line`), false);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0].length).toBeLessThanOrEqual(MAX_MESSAGE + 12);
    expect(r.lines[0]).toMatch(/^peerlearn: bad field x+\.\.\. \(\d+ more characters\)$/);
  });

  it("treats divergence, allocation failures and option errors as the user's (exit 2)", () => {
    expect(describeFailure(new DivergenceError(5, "the critic loss"), false).code).toBe(2);
    const alloc = describeFailure(new RangeError("Array buffer allocation failed"), false);
    expect([alloc.code, alloc.lines[0]]).toEqual([
      2,
      "peerlearn: the config asks for more memory than can be allocated (Array buffer allocation failed): lower bufferSize, batchSize or netArch",
    ]);
    const ambiguous = Object.assign(new TypeError("Option '--seed <value>' argument is ambiguous.\nDid you..."), {
      code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
    });
    expect(describeFailure(ambiguous, false).lines).toEqual([
      "peerlearn: --seed needs a value, and what follows it looks like an option; write --seed=VALUE",
    ]);
  });

  it("says a bug is a bug, with the stack only under --debug (exit 1)", () => {
    const bug = new TypeError("cannot read properties of undefined");
    const plain = describeFailure(bug, false);
    expect(plain.code).toBe(1);
    expect(plain.lines).toHaveLength(2);
    expect(plain.lines[1]).toMatch(/this is a bug in peerlearn.*--debug/);
    const debug = describeFailure(bug, true);
    expect(debug.lines).toHaveLength(3);
    expect(debug.lines[2]).toMatch(/^TypeError: cannot read properties of undefined\n\s+at /);
  });
});
