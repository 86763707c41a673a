/**
 * The project's import rules (lint/import-rules.js) catch what they are for: a fixture with a cycle of type
 * imports and an import from a higher layer is reported, a file that imports downwards is not, and the sources
 * themselves have neither.
 */
import { join, resolve } from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import imports, { LAYERS } from "../lint/import-rules.js";

const fixture = resolve("test/fixtures/layers/src");

function linter(root: string): ESLint {
  return new ESLint({
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ["**/*.ts"],
        ignores: ["**/*.test.ts"],
        languageOptions: { parser: tseslint.parser },
        plugins: { peerlearn: imports },
        rules: {
          "peerlearn/no-cycle": ["error", { root }],
          "peerlearn/layers": ["error", { root, layers: LAYERS }],
        },
      },
    ],
  });
}

describe("import rules", () => {
  it("report a cycle of type imports and an upward import, and nothing else", async () => {
    const results = await linter(fixture).lintFiles([fixture]);
    const found = results
      .flatMap((r) => r.messages.map((m) => `${r.filePath.slice(fixture.length + 1)}: ${m.ruleId}: ${m.message}`))
      .sort();
    expect(found).toEqual([
      "agents/a.ts: peerlearn/no-cycle: import cycle: agents/a.ts -> agents/b.ts -> agents/a.ts",
      "agents/b.ts: peerlearn/no-cycle: import cycle: agents/b.ts -> agents/a.ts -> agents/b.ts",
      "core/low.ts: peerlearn/layers: core/ (layer 1) imports from a higher layer: ../agents/high.js (layer 5; order: core|config|web < nn < envs < runs < agents < onnx < peers < experiments|report < distributed|dashboard|demo|bench < cli)",
    ]);
  });

  it("find neither in the sources", async () => {
    const results = await linter(resolve("src")).lintFiles([join("src", "**", "*.ts")]);
    expect(results.length).toBeGreaterThan(100);
    const found = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId?.startsWith("peerlearn/")).map((m) => `${r.filePath}: ${m.message}`),
    );
    expect(found).toEqual([]);
  }, 60_000);
});
