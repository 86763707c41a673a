/**
 * docs/results.md is generated from the files in results/ (`npm run results`): it must say exactly what they
 * give, so that no result in the docs is typed by hand or left behind when a result changes.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resultsMarkdown } from "../src/experiments/kept-results.js";

describe("the docs' results", () => {
  it("are what the files in results/ give (regenerate with npm run results)", () => {
    expect(readFileSync("docs/results.md", "utf8")).toBe(resultsMarkdown("results"));
  });
});
