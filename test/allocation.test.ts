/**
 * An update allocates nothing: checked on the compiled package (dist/, built by `npm test` before vitest runs), in
 * a fresh Node process per backend, as a real run would execute it.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";
import { HAS_NATIVE } from "./backends.js";

const script = `
  const { tryCreateKernels } = await import("./dist/nn/kernels/select.js");
  const { dqnUpdateBytesAllocated } = await import("./dist/bench/allocation.js");
  const k = tryCreateKernels(process.argv[1]);
  if (k instanceof Error) throw k;
  console.log(dqnUpdateBytesAllocated(k));
`;

describe("allocation (needs `npm run build`)", () => {
  requireBuilt("dist/bench/allocation.js");
  it.each(["js", "wasm", ...(HAS_NATIVE ? ["native"] : [])])(
    "a DQN update on %s allocates nothing once compiled",
    (backend) => {
      const out = execFileSync(
        process.execPath,
        ["--expose-gc", "--max-semi-space-size=64", "--input-type=module", "-e", script, backend],
        { encoding: "utf8" },
      );
      expect(Number(out.trim())).toBeLessThan(0.5); // bytes per update: a single boxed double would be 16
    },
  );
});
