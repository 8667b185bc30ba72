/**
 * The source tree's import graph has no circle, and its layers only import downwards: each module can be read,
 * tested and moved knowing only what it imports. Type-only imports count too (a type circle still ties the files'
 * meanings together).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative specifiers of `import … from`, `export … from` and `import()` in `text`. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
    found.push(match[1]!);
  }
  return found;
}

/** The graph: file → files it imports (resolved `.js` → `.ts`, directories → `index.ts`). */
function importGraph(): Map<string, string[]> {
  const files = new Set(sourceFiles(SRC));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = relativeImports(readFileSync(file, "utf8")).map((specifier) => {
      const base = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"));
      return files.has(base) ? base : join(base.replace(/\.ts$/, ""), "index.ts");
    });
    graph.set(
      file,
      targets.filter((target) => files.has(target)),
    );
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe("the import graph of src/", () => {
  it("finds a circle when there is one (the check itself works)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(circles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("reads every import form", () => {
    const text = `import { a } from "./a.js";\nimport type { B } from "../b.js";\nexport { c } from "./c.js";\nconst d = await import("./d.js");\nimport x from "neverthrow";`;
    expect(relativeImports(text)).toEqual(["./a.js", "../b.js", "./c.js", "./d.js"]);
  });

  it("has no circle", () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    const named = circles(graph).map((component) => component.map((file) => relative(SRC, file)));
    expect(named).toEqual([]);
  });

  describe("layers", () => {
    const graph = importGraph();
    /** Every import `from` → `to` (paths relative to src/) where `from` matches `importer`. */
    const importsOf = (importer: RegExp) =>
      [...graph].flatMap(([file, targets]) =>
        importer.test(relative(SRC, file))
          ? targets.map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`)
          : [],
      );
    const offending = (importer: RegExp, forbidden: RegExp) =>
      importsOf(importer).filter((edge) => forbidden.test(edge.split(" -> ")[1]!));

    it("src/errors.ts and src/defaults.ts import nothing from src; src/boundary.ts only src/errors.ts", () => {
      expect(importsOf(/^(errors|defaults)\.ts$/)).toEqual([]);
      expect(importsOf(/^boundary\.ts$/)).toEqual(["boundary.ts -> errors.ts"]);
    });

    it("src/shell is a leaf: it imports only itself and src/errors.ts", () => {
      expect(importsOf(/^shell\//).length).toBeGreaterThan(0);
      expect(offending(/^shell\//, /^(?!shell\/|errors\.ts$)/)).toEqual([]);
    });

    it("drivers never import what is built on them: kit, config, sandbox, fs, exec, provision, testing", () => {
      expect(
        offending(/^driver\//, /^(kit|config|index)\.ts$|^(sandbox|fs|exec|provision|testing)\//),
      ).toEqual([]);
    });

    it("each driver keeps to itself: local never imports daytona, daytona never imports local", () => {
      expect(offending(/^driver\/local\//, /^driver\/daytona\//)).toEqual([]);
      expect(offending(/^driver\/daytona\//, /^driver\/local\//)).toEqual([]);
    });

    it("policies never import a driver, and nothing below the kit imports the kit", () => {
      expect(offending(/^policy\//, /^driver\//)).toEqual([]);
      expect(offending(/^(?!index\.ts$)/, /^kit\.ts$/)).toEqual([]);
    });

    it("a rule can fail (the check itself works)", () => {
      expect(offending(/^fs\//, /^driver\//).length).toBeGreaterThan(0);
    });
  });
});
