/**
 * The public surface, name by name: every export of every package entry (values and types, and the members of the
 * type namespaces) is listed in `api-snapshot.txt`. Adding, removing or renaming an export fails this test until
 * the snapshot is updated on purpose (`npx vitest run test/architecture/api-snapshot.test.ts -u`), so a change of
 * the semver surface is always a visible diff. The root entry stays small: at most 60 names.
 */
import { resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
/** Package subpath → source file, as in package.json `exports` and tsup.config.ts. */
const ENTRIES: Readonly<Record<string, string>> = {
  ".": "src/index.ts",
  "./daytona": "src/daytona.ts",
  "./local": "src/local.ts",
  "./testing": "src/testing/index.ts",
};
const ROOT_LIMIT = 60;

function describeSymbol(checker: ts.TypeChecker, symbol: ts.Symbol): "value" | "type" | "namespace" {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  if (target.flags & ts.SymbolFlags.Module) return "namespace";
  // A type-only export (`export type { x }`) of a value is still only a type for the importer.
  const typeOnly = symbol.declarations?.some((d) => ts.isTypeOnlyExportDeclaration(d)) ?? false;
  return target.flags & ts.SymbolFlags.Value && !typeOnly ? "value" : "type";
}

/** `kind name` lines of one entry, sorted; a namespace's members follow as `type Namespace.Member`. */
function exportsOf(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(resolve(ROOT, file));
  if (!source) throw new Error(`${file} is not part of the program`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file} has no module symbol`);
  const lines: string[] = [];
  for (const symbol of checker.getExportsOfModule(module)) {
    const kind = describeSymbol(checker, symbol);
    lines.push(`${kind} ${symbol.name}`);
    if (kind === "namespace") {
      const target = checker.getAliasedSymbol(symbol);
      for (const member of checker.getExportsOfModule(target)) {
        lines.push(`${describeSymbol(checker, member)} ${symbol.name}.${member.name}`);
      }
    }
  }
  return lines.sort((a, b) => a.split(" ")[1]!.localeCompare(b.split(" ")[1]!, "en"));
}

describe("the public API", () => {
  const program = ts.createProgram(
    Object.values(ENTRIES).map((file) => resolve(ROOT, file)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
    },
  );
  const surface = Object.fromEntries(
    Object.entries(ENTRIES).map(([entry, file]) => [entry, exportsOf(program, file)]),
  );

  it("matches the checked-in snapshot, entry by entry", async () => {
    const text = Object.entries(surface)
      .map(([entry, lines]) => {
        const top = lines.filter((line) => !line.split(" ")[1]!.includes("."));
        return `# ${entry} (${top.length} names)\n${lines.join("\n")}\n`;
      })
      .join("\n");
    await expect(text).toMatchFileSnapshot("./api-snapshot.txt");
  });

  it(`keeps the root entry at ${ROOT_LIMIT} names or fewer`, () => {
    const top = surface["."]!.filter((line) => !line.split(" ")[1]!.includes("."));
    expect(top.length).toBeGreaterThan(0);
    expect(top.length).toBeLessThanOrEqual(ROOT_LIMIT);
  });

  it("exports no test seams or internal helpers from any entry", () => {
    const names = Object.values(surface).flatMap((lines) => lines.map((line) => line.split(" ")[1]!));
    for (const internal of [
      "KitInternals",
      "createKitWithSeams",
      "resolveConfig",
      "planBatches",
      "resolveUnderRoot",
      "withRetries",
      "createExec",
      "createSandboxFs",
      "createProvisioner",
      "applyRecipe",
    ]) {
      expect(names).not.toContain(internal);
    }
  });
});
