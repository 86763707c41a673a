/**
 * The README stays short and leads to every docs page, and no link in README or docs points at a file that is
 * not there.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const pages = readdirSync("docs").filter((f) => f.endsWith(".md"));
const links = (file: string): string[] =>
  [...readFileSync(file, "utf8").matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1])
    .filter((href) => !/^[a-z]+:/.test(href));

describe("README and docs", () => {
  it("the README is at most 220 lines and links every docs page", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme.split("\n").length).toBeLessThanOrEqual(220);
    const linked = new Set(links("README.md").map((l) => l.replace(/^docs\//, "")));
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
  });

  it("every relative link names a file that exists", () => {
    const broken = ["README.md", ...pages.map((p) => join("docs", p))].flatMap((file) =>
      links(file)
        .filter((href) => !existsSync(join(dirname(file), href)))
        .map((href) => `${file}: ${href}`),
    );
    expect(broken).toEqual([]);
  });
});
