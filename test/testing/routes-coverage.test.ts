import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { EMULATOR_ROUTES } from "../../src/testing/index.js";

/**
 * Every route of the SDK's generated clients (`@daytona/api-client`, `@daytona/toolbox-api-client`) is either
 * served by the emulator or named in the "Not served" table of docs/testing-with-the-emulator.md, and the docs'
 * "Routes served" table lists exactly the emulator's routes.
 */
const require = createRequire(import.meta.url);
const DOC = readFileSync(new URL("../../docs/testing-with-the-emulator.md", import.meta.url), "utf8");

/** `METHOD /path` of every operation in a generated client (toolbox paths prefixed with `/toolbox`). */
function sdkRoutes(pkg: string, prefix: string): string[] {
  const dir = join(dirname(require.resolve(`${pkg}/package.json`)), "src", "api");
  const routes: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const match of text.matchAll(/localVarPath = `([^`]+)`[\s\S]*?method: '([A-Z]+)'/g)) {
      routes.push(`${match[2]} ${prefix}${match[1]}`);
    }
  }
  return [...new Set(routes)].sort();
}

/** The backticked first cells of the table under `heading`. */
function tableRoutes(heading: string): string[] {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs lack the section "${heading}"`);
  const end = DOC.indexOf("\n## ", start + 1);
  const section = DOC.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] as string);
}

/** A route pattern as a RegExp: `{x}` and `:x` match one segment, a trailing `/**` the path and anything under it. */
function toRegExp(pattern: string): RegExp {
  const [method, path] = pattern.split(" ") as [string, string];
  const body = path
    .replace(/[.+?^$()|[\]\\]/g, "\\$&")
    .replace(/\/\*\*$/, "(?:/.*)?")
    .replace(/\{[^}]+\}|:[A-Za-z]+/g, "[^/]+");
  return new RegExp(`^${method === "*" ? "[A-Z]+" : method} ${body}$`);
}

/** Path parameters written alike (`{sandboxIdOrName}`, `:id` → `{}`), so served routes match by their exact shape. */
const shape = (route: string) => route.replace(/\{[^}]+\}|:[A-Za-z]+/g, "{}");

const all = [
  ...sdkRoutes("@daytona/api-client", ""),
  ...sdkRoutes("@daytona/toolbox-api-client", "/toolbox"),
];
const served = new Set(EMULATOR_ROUTES.map(shape));
const isServed = (route: string) => served.has(shape(route));
const notServed = tableRoutes("Not served");

describe("routes: served or documented as not served", () => {
  it("reads the SDK's routes (sanity: the clients were found and parsed)", () => {
    expect(all.length).toBeGreaterThan(200);
    expect(all).toContain("POST /sandbox/{sandboxIdOrName}/start");
    expect(all).toContain("GET /toolbox/process/session");
  });

  it("serves or names every SDK route", () => {
    const missing = all.filter(
      (route) => !isServed(route) && !notServed.some((p) => toRegExp(p).test(route)),
    );
    expect(missing).toEqual([]);
  });

  it("names no route twice: nothing served is listed as not served, every not-served row matches an SDK route", () => {
    const servedAndListed = all.filter(
      (route) => isServed(route) && notServed.some((p) => toRegExp(p).test(route)),
    );
    expect(servedAndListed).toEqual([]);
    expect(notServed.filter((p) => !all.some((route) => toRegExp(p).test(route)))).toEqual([]);
  });

  it("lists exactly the emulator's routes in the docs' served table, each one an SDK route (socket.io aside)", () => {
    expect([...tableRoutes("Routes served")].sort()).toEqual([...EMULATOR_ROUTES].sort());
    const sdkShapes = new Set(all.map(shape));
    const unknown = EMULATOR_ROUTES.filter((r) => r !== "GET /socket.io" && !sdkShapes.has(shape(r)));
    expect(unknown).toEqual([]);
  });
});
