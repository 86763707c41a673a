// Lint rules: typescript-eslint's recommended set, plus the project's own: no `any`, no unseeded randomness, no
// import cycles and no import from a higher layer (lint/import-rules.js; docs/architecture.md lists the layers).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import imports, { LAYERS } from "./lint/import-rules.js";

export default tseslint.config(
  {
    ignores: [
      "demo/dist/**",
      "dist/",
      "examples/dist/",
      "node_modules/",
      "native/build/",
      "build/",
      "runs/",
      "wasm/*.wasm",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "Use core/random.ts: every run must be seeded." },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/**/*.test.ts"],
    plugins: { peerlearn: imports },
    rules: {
      "peerlearn/no-cycle": ["error", { root: "src" }],
      "peerlearn/layers": ["error", { root: "src", layers: LAYERS }],
    },
  },
  {
    files: ["scripts/**/*.mjs", "bench/**/*.mjs", "lint/**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
