// Two builds of the native addon in one process, their timings interleaved: what a kernel change is worth on a
// machine whose speed drifts by more than the change over minutes (shared VMs), where runs one after the other
// cannot tell 5% apart. Needs `npm run build` (it uses the compiled engine and agents from dist/).
//   node scripts/compare-addons.mjs BEFORE.node AFTER.node
// Keep a copy of build/Release/peerlearn_native.node, change native/, rebuild, then pass the copy and the new one.
// Prints, per figure, the median over 15 interleaved repetitions of each build and their ratio (after / before).
// The two builds work on separate memory, placed differently, which alone can move a small kernel by ~10% and an
// update by ~2%: compare a build with itself (the same file twice) to see what the method gives on a machine.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (path) => import(join(root, "dist", path));
const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error("usage: node scripts/compare-addons.mjs BEFORE.node AFTER.node");
  process.exit(2);
}
for (const file of [before, after])
  if (!existsSync(file)) {
    console.error(`compare-addons: no such file ${file}`);
    process.exit(2);
  }
if (!existsSync(join(root, "dist", "nn", "kernels", "native.js"))) {
  console.error("compare-addons: run `npm run build` first (it uses dist/)");
  process.exit(2);
}
const { NativeKernels } = await dist("nn/kernels/native.js");
const { Random } = await dist("core/random.js");
const { DqnNetworks } = await dist("agents/dqn/update.js");
const { SacNetworks } = await dist("agents/sac/update.js");
const { randomSacBatch } = await dist("bench/nn-bench.js");
const require = createRequire(import.meta.url);

/** The figures on one build: each a function doing the work once, and how many calls a timing takes. */
function figures(addonPath) {
  const k = new NativeKernels(require(resolve(addonPath)), 1 << 24);
  const a = k.heap.alloc(256 * 256);
  const b = k.heap.alloc(256 * 256);
  const c = k.heap.alloc(256 * 256);
  const bias = k.heap.alloc(256);
  for (let i = 0; i < a.length; i++) [a.data[i], b.data[i]] = [Math.sin(i), 0.1 * Math.cos(i)];
  const rng = new Random(2);
  const dqn = new DqnNetworks(
    k,
    { obsDim: 4, nActions: 4, hidden: [256, 256], batchSize: 256, learningRate: 5e-4, gamma: 0.99, maxGradNorm: 10 },
    rng,
  );
  const obs = k.heap.alloc(256 * 4);
  const nextObs = k.heap.alloc(256 * 4);
  obs.data.forEach((_, i) => ([obs.data[i], nextObs.data[i]] = [rng.uniform(), rng.uniform()]));
  const actions = new Int32Array(256);
  rng.fillIntegers(actions, 4);
  const rewards = Float32Array.from({ length: 256 }, () => rng.normal());
  const dqnBatch = { obs, nextObs, actions, rewards, dones: new Float32Array(256) };
  const sac = (hidden) => {
    const r = new Random(3);
    const net = new SacNetworks(
      k,
      { obsDim: 17, actDim: 6, hidden, batchSize: 256, learningRate: 3e-4, gamma: 0.99, tau: 0.005 },
      r,
    );
    const batch = randomSacBatch(k, r, 256, 17, 6);
    return () => net.trainStep(batch);
  };
  return {
    "GEMM 256^3, B transposed": [
      () => k.gemm(false, true, 256, 256, 256, a.offset, 256, b.offset, 256, c.offset, 256, 0),
      60,
    ],
    "GEMM 256^3, A transposed": [
      () => k.gemm(true, false, 256, 256, 256, a.offset, 256, b.offset, 256, c.offset, 256, 0),
      60,
    ],
    "GEMM 256^3": [() => k.gemm(false, false, 256, 256, 256, a.offset, 256, b.offset, 256, c.offset, 256, 0), 60],
    "forward 256 -> 256, 10 rows": [
      () => k.linearForward(10, 256, 256, a.offset, 256, b.offset, bias.offset, c.offset, 1),
      2000,
    ],
    "forward 4 -> 256, batch 256": [
      () => k.linearForward(256, 256, 4, a.offset, 4, b.offset, bias.offset, c.offset, 1),
      1000,
    ],
    "DQN update": [() => dqn.trainStep(dqnBatch), 40],
    "SAC update [256, 256]": [sac([256, 256]), 8],
    "SAC update [150, 200]": [sac([150, 200]), 12],
  };
}

function copied(file) {
  const dir = mkdtempSync(join(tmpdir(), "peerlearn-addon-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, "copy.node");
  copyFileSync(file, copy);
  return copy;
}

const microseconds = (run, calls) => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) run();
  return Number(process.hrtime.bigint() - start) / 1e3 / calls;
};
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
// A build loaded twice would be one module with one heap: the second copy is loaded from a file of its own.
const second = figures(resolve(before) === resolve(after) ? copied(after) : after);
const first = figures(before);
console.log(`${"figure".padEnd(30)} ${"before us".padStart(10)} ${"after us".padStart(10)}  after/before`);
for (const name of Object.keys(first)) {
  const [runBefore, calls] = first[name];
  const [runAfter] = second[name];
  for (let i = 0; i < calls; i++) {
    runBefore();
    runAfter();
  }
  const times = { before: [], after: [] };
  for (let r = 0; r < 15; r++) {
    times.before.push(microseconds(runBefore, calls));
    times.after.push(microseconds(runAfter, calls));
  }
  const [tb, ta] = [median(times.before), median(times.after)];
  console.log(
    `${name.padEnd(30)} ${tb.toFixed(1).padStart(10)} ${ta.toFixed(1).padStart(10)}  ${(ta / tb).toFixed(3)}`,
  );
}
