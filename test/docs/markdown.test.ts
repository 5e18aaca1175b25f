// The README and the docs render as their authors meant: a code fence left open (or closed
// with text after it) turns every heading below it into code on GitHub.
import { readFile } from "node:fs/promises";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";

const FILES = ["README.md", "docs/architecture.md", "docs/benchmarks.md"];

describe.each(FILES)("%s, parsed as CommonMark", (file) => {
  it("every line written as a ## or ### heading renders as one, in order", async () => {
    const source = await readFile(new URL(`../../${file}`, import.meta.url), "utf8");
    const written = source
      .split("\n")
      .filter((line) => /^#{2,3} /.test(line))
      .map((line) => line.replace(/^#+ /, "").trim());
    const tokens = new MarkdownIt().parse(source, {});
    const rendered = tokens.flatMap((token, i) =>
      token.type === "heading_open" && (token.tag === "h2" || token.tag === "h3")
        ? [tokens[i + 1]?.content ?? ""]
        : [],
    );
    expect(written.length).toBeGreaterThan(2);
    expect(rendered).toEqual(written);
  });

  it("every code fence is closed by a line holding only its fence", async () => {
    const source = await readFile(new URL(`../../${file}`, import.meta.url), "utf8");
    const lines = source.split("\n");
    const fences = new MarkdownIt().parse(source, {}).filter((token) => token.type === "fence");
    // A fence that never closes runs to the end of the file, its last line not a fence.
    for (const fence of fences) {
      const lastLine = lines[(fence.map?.[1] ?? 0) - 1] ?? "";
      expect(lastLine.trim(), `the fence opened on line ${(fence.map?.[0] ?? 0) + 1}`).toBe(
        fence.markup,
      );
    }
  });
});

describe("README.md and manifest.json", () => {
  it("the README names the bundle's settings as Claude Desktop shows them (the manifest's titles)", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const manifest = JSON.parse(
      await readFile(new URL("../../manifest.json", import.meta.url), "utf8"),
    ) as { user_config: Record<string, { title: string }> };
    const titles = Object.values(manifest.user_config).map((field) => field.title);
    expect(titles.length).toBeGreaterThan(3);
    for (const title of titles) expect(readme).toContain(`**${title}**`);
  });
});
