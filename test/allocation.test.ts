/**
 * An update allocates nothing: checked on the compiled package (dist/, built by `npm test` before vitest runs), in
 * a fresh Node process per backend and algorithm, as a real run would execute it. DQN's gradient step on a fixed
 * batch; SAC's (with and without gSDE) and TD3's through the agent, replay sampling and noise draws included; and
 * an action of each while training, exploration noise included.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";
import { HAS_NATIVE } from "./backends.js";

const script = `
  const { tryCreateKernels } = await import("./dist/nn/kernels/select.js");
  const { actingBytesAllocated, dqnUpdateBytesAllocated, gradientStepBytesAllocated } = await import("./dist/bench/allocation.js");
  const [backend, algo, what] = process.argv.slice(1);
  const k = tryCreateKernels(backend);
  if (k instanceof Error) throw k;
  if (what === "act") console.log(actingBytesAllocated(k, algo));
  else console.log(algo === "dqn" ? dqnUpdateBytesAllocated(k) : gradientStepBytesAllocated(k, algo));
`;

const backends = ["js", "wasm", ...(HAS_NATIVE ? ["native"] : [])];
const cases = backends.flatMap((b) => ["dqn", "sac", "sac-gsde", "td3"].map((a) => [a, b]));

/** Bytes per call measured in a fresh process (what: "step" for a gradient step, "act" for an action). */
function bytesIn(backend: string, algo: string, what: "step" | "act"): number {
  const args = ["--expose-gc", "--max-semi-space-size=64", "--input-type=module", "-e", script, backend, algo, what];
  return Number(execFileSync(process.execPath, args, { encoding: "utf8" }).trim());
}

describe("allocation (needs `npm run build`)", () => {
  requireBuilt("dist/bench/allocation.js");
  it.each(cases)("a %s gradient step on %s allocates nothing once compiled", (algo, backend) => {
    expect(bytesIn(backend, algo, "step")).toBeLessThan(0.5); // bytes per step: a single boxed double would be 16
  });
  it.each(cases)("a %s action on %s allocates nothing once compiled", (algo, backend) => {
    expect(bytesIn(backend, algo, "act")).toBeLessThan(0.5);
  });
});
