// Lint rules: typescript-eslint's recommended set, plus the project's own: no `any`, and no unseeded randomness.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    files: ["scripts/**/*.mjs", "bench/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
