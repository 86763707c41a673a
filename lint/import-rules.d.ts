// Types of import-rules.js for the tests that load it.
import type { ESLint } from "eslint";

export declare const LAYERS: string[];
declare const plugin: ESLint.Plugin;
export default plugin;
