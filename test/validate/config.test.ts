/**
 * `resolveConfig` checks every option once, so `kit.check()` tells the truth (issue 10, "Configuration" and
 * "Numbers"): each case below was accepted by `check()` before and failed only at first use, or never.
 */
import { describe, expect, it } from "vitest";
import { type KitOptions, resolveConfig } from "../../src/config.js";
import { createKit } from "../../src/kit.js";

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

const base: KitOptions = { apiKey: "k", env: {} };

const refused: ReadonlyArray<[string, Loose, string]> = [
  ["an empty apiUrl (no silent fallback)", { apiUrl: "" }, "apiUrl"],
  ["an ftp: apiUrl", { apiUrl: "ftp://example.test/api" }, "apiUrl"],
  ["an apiUrl without /api", { apiUrl: "https://example.test" }, "apiUrl"],
  ["an apiUrl that is not a URL", { apiUrl: "example.test/api" }, "apiUrl"],
  ["an apiUrl with credentials", { apiUrl: "https://u:p@example.test/api" }, "apiUrl"],
  ["an apiUrl that is a number", { apiUrl: 8080 }, "apiUrl"],
  ["targets as a string", { targets: "us" }, "targets"],
  ["targets holding a number", { targets: ["us", 1] }, "targets"],
  ["targets empty", { targets: [] }, "targets"],
  ["retry.attempts 0", { retry: { attempts: 0 } }, "retry.attempts"],
  ["retry.attempts -1", { retry: { attempts: -1 } }, "retry.attempts"],
  ["retry.attempts NaN", { retry: { attempts: Number.NaN } }, "retry.attempts"],
  ["retry.attempts Infinity", { retry: { attempts: Number.POSITIVE_INFINITY } }, "retry.attempts"],
  ["retry.attempts 1e9", { retry: { attempts: 1e9 } }, "retry.attempts"],
  ["retry.attempts 21", { retry: { attempts: 21 } }, "retry.attempts"],
  ["retry.maxDelayMs -5", { retry: { maxDelayMs: -5 } }, "retry.maxDelayMs"],
  ["retry misspelt", { retry: { attempt: 5 } }, "retry.attempt"],
  ["retry null", { retry: null }, "retry"],
  ["timeouts.execMs 2^31", { timeouts: { execMs: 2 ** 31 } }, "timeouts.execMs"],
  ["timeouts.ensureMs 0", { timeouts: { ensureMs: 0 } }, "timeouts.ensureMs"],
  ["timeouts.lifecycleMs a string", { timeouts: { lifecycleMs: "5" } }, "timeouts.lifecycleMs"],
  ["timeouts null", { timeouts: null }, "timeouts"],
  ["uploadCapBytes 1.5", { uploadCapBytes: 1.5 }, "uploadCapBytes"],
  ["root relative", { root: "workspace" }, "root"],
  ["root a number", { root: 5 }, "root"],
  ["projectLabel __proto__", { projectLabel: "__proto__" }, "projectLabel"],
  ["projectLabel empty", { projectLabel: "" }, "projectLabel"],
  ["defaultImage empty", { defaultImage: "" }, "defaultImage"],
  ["defaultImage with a lone surrogate", { defaultImage: "img\uD800" }, "defaultImage"],
  ["driver an unknown name", { driver: "docker" }, "driver"],
  ["driver an empty object", { driver: {} }, "driver"],
  ["onDispose unknown", { onDispose: "destroy" }, "onDispose"],
  ["batch.concurrency 0", { batch: { concurrency: 0 } }, "batch.concurrency"],
  ["useDeprecatedPolling a string", { useDeprecatedPolling: "true" }, "useDeprecatedPolling"],
  ["apiKey empty", { apiKey: "" }, "apiKey"],
];

describe("resolveConfig", () => {
  for (const [what, options, argument] of refused) {
    it(`refuses ${what}, and check() says so`, () => {
      const result = resolveConfig({ ...base, ...options });
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument });
      expect(
        createKit({ ...base, ...options })
          .check()
          .isErr(),
      ).toBe(true);
    });
  }

  it("names the missing /api in its hint", () => {
    const error = resolveConfig({ ...base, apiUrl: "https://example.test" })._unsafeUnwrapErr();
    expect(error.message).toContain("https://example.test/api");
  });

  it("checks DAYTONA_API_URL from the environment the same way; an empty one counts as unset", () => {
    const bad = resolveConfig({ apiKey: "k", env: { DAYTONA_API_URL: "ftp://x.test/api" } });
    expect(bad._unsafeUnwrapErr()).toMatchObject({ argument: "DAYTONA_API_URL" });
    const empty = resolveConfig({ apiKey: "k", env: { DAYTONA_API_URL: " " } });
    expect(empty._unsafeUnwrap().apiUrl).toBeUndefined();
  });

  it("refuses non-object options without throwing", () => {
    for (const options of [null, 1, "x", [], () => ({})]) {
      expect(resolveConfig(options as Loose)._unsafeUnwrapErr()).toMatchObject({
        kind: "InvalidArgument",
        argument: "options",
      });
      const kit = createKit(options as Loose);
      expect(kit.driverName).toBe("unconfigured");
      expect(kit.check().isErr()).toBe(true);
    }
  });

  it("accepts the bounds and resolves the targets once", () => {
    const resolved = resolveConfig({
      ...base,
      apiUrl: "http://127.0.0.1:3000/api",
      targets: ["eu", "us"],
      retry: { attempts: 20, maxDelayMs: 0 },
      timeouts: { execMs: 2 ** 31 - 1, ensureMs: 1 },
    })._unsafeUnwrap();
    expect(resolved.targets).toEqual(["eu", "us"]);
    expect(resolved.timeouts.execMs).toBe(2 ** 31 - 1);
    expect(resolveConfig({ ...base, env: { DAYTONA_TARGETS: "eu,us" } })._unsafeUnwrap().targets).toEqual([
      "eu",
      "us",
    ]);
  });
});
