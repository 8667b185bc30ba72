/**
 * The whole public surface under hostile input (issue 10, acceptance 1): every method of Kit (prebake and
 * prebaked.* included), KitSandbox, fs, exec and provision (node.* and plan.* included), on the emulator (the real SDK through msw) and on the in-memory
 * driver, with fast-check's `anything()` and, per argument, a generator of values that must be refused.
 *
 * For every call: it does not throw, it settles well before its deadline, it is never `Unexpected` (a throw that
 * was caught), and an `InvalidArgument` of ours (no HTTP status) cost 0 requests / 0 driver calls. For every value
 * of the "invalid" generators the result IS that `InvalidArgument`.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxDriver } from "../../src/driver/types.js";
import type { KitError } from "../../src/errors.js";
import { createKit, type Kit } from "../../src/kit.js";
import type { KitSandbox } from "../../src/sandbox/handle.js";
import { createMemoryDriver } from "../../src/testing/index.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

/** Real-time bound for one call to settle; every deadline inside is far shorter (timeouts below are small). */
const SETTLE_MS = 20_000;
const RUNS = Number(process.env.KIT_PROPERTY_RUNS ?? 15);

interface Target {
  readonly kit: Kit;
  readonly sandbox: KitSandbox;
  /** Requests (emulator) or driver calls (memory) so far. */
  readonly sent: () => number;
}

// ---- generators --------------------------------------------------------------------------------------------
const nonString = fc.constantFrom<unknown>(
  undefined,
  null,
  0,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  {},
  [],
  ["a"],
  10n,
  Symbol("s"),
  () => "x",
  new Date(0),
);
const loneSurrogate = fc
  .tuple(fc.string({ maxLength: 8 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 8 }))
  .map(
    ([a, code, b]) =>
      `${a.replace(/[\uD800-\uDFFF]/g, "")}${String.fromCharCode(code)}x${b.replace(/[\uD800-\uDFFF]/g, "")}`,
  );
/** Never a usable string argument. */
const badString = fc.oneof(nonString, loneSurrogate, fc.constantFrom("", "  ", "a\0b"));
/** Never a usable value for an option field (undefined is: it means the default). */
const badField = badString.filter((v) => v !== undefined);
/** Never a usable file path (also refused: a trailing slash). */
const badFilePath = fc.oneof(badString, fc.constantFrom("x/", "dir/x/.", "a/..", "/workspace/"));
/** Never a usable options object. */
const badOptions = fc.constantFrom<unknown>(null, 0, 1, "x", [], [{}], true, () => ({}), new Map());
const badTimeout = fc.oneof(
  fc.constantFrom<unknown>(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, 1e12, "5", null),
  fc.double({ min: 2 ** 31, max: 1e15, noNaN: true }),
);
const badPort = fc.oneof(
  nonString.filter((v) => typeof v !== "number" && v !== undefined),
  fc.integer({ min: 65_536 }),
  fc.integer({ max: 0 }),
  fc.double({ min: 1.1, max: 100, noInteger: true }),
);
const badProjectId = fc.oneof(
  nonString,
  loneSurrogate,
  fc.constantFrom("", "-x", "a b", "a/b", "x".repeat(64)),
);
/** Never a usable package list (an empty array is: it installs nothing). */
const badPackages = fc.oneof(
  badString.filter((v) => !(Array.isArray(v) && v.length === 0)),
  fc.constant([1]),
  fc.constant(["ok", null]),
  fc.constant(["UPPER"]),
);
/** Never a usable prebake spec. */
const badSpec = fc.oneof(
  badOptions,
  fc.constant(undefined),
  fc.constantFrom<unknown>(
    {},
    { git: "yes" },
    { git: true, node: 1 },
    { git: true, node: 20.5 },
    { git: true, node: "20" },
    { git: true, node: Number.NaN },
    { git: true, node: 1e9 },
    { git: true, node: 20, baseImage: "debian:bookworm-slim" },
    { git: true, baseImage: "../x" },
    { git: true, baseImage: "a b" },
    { postgres: { port: 1e9 } },
    { git: true, aptTimeoutMs: 1e12 },
    { git: true, unknown: 1 },
    JSON.parse('{"git": true, "__proto__": {"apt": ["x"]}}'),
  ),
  badPackages.filter((v) => v !== undefined).map((apt) => ({ git: true, apt })),
);
const badPrebakeOptions = fc.oneof(
  badOptions,
  badTimeout.map((timeoutMs) => ({ timeoutMs })),
  fc.constantFrom<unknown>({ onLog: "x" }, { signal: "abort" }, { timeoutMS: 5 }),
);
const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withNullPrototype: true,
  withMap: true,
});

// ---- the surface ------------------------------------------------------------------------------------------
/** One public method: how to call it with `args`, and per argument what must be refused. */
interface Method {
  readonly name: string;
  /** A valid value for each argument (the others stay valid while one is fuzzed). */
  readonly valid: readonly unknown[];
  /** Per argument, values that must be `InvalidArgument` (undefined: that argument has no invalid values). */
  readonly invalid: ReadonlyArray<fc.Arbitrary<unknown> | undefined>;
  readonly call: (t: Target, args: readonly unknown[]) => unknown;
  /**
   * The method looks inside the sandbox before it can judge a well-typed argument (node.install/build read
   * package.json): there, an `InvalidArgument` such as "no build script in dir" comes after one probe.
   */
  readonly inspects?: boolean;
}

const f = (t: Target) => t.sandbox.fs as Loose;
const p = (t: Target) => t.sandbox.provision as Loose;
const small = { timeoutMs: 2_000 };

const METHODS: readonly Method[] = [
  // Kit
  {
    name: "kit.ensure",
    valid: [{ projectId: "prop-main" }],
    invalid: [
      fc.oneof(
        badOptions,
        fc.constant(undefined),
        badProjectId.map((projectId) => ({ projectId })),
        badTimeout.map((timeoutMs) => ({ projectId: "prop-main", timeoutMs })),
        fc.constant({ projectId: "prop-main", labels: JSON.parse('{"__proto__":"x"}') }),
        fc.constant({ projectId: "prop-main", projectID: "typo" }),
        badSpec.filter((v) => v !== undefined).map((prebaked) => ({ projectId: "prop-main", prebaked })),
        fc.constant({ projectId: "prop-main", prebaked: { git: true }, image: "debian:12-slim" }),
        fc.constant({ projectId: "prop-main", prebaked: { git: true }, onEvent: "log" }),
      ),
    ],
    call: (t, [request]) => t.kit.ensure(request as Loose),
  },
  {
    name: "kit.prebake",
    valid: [{ git: true }, { timeoutMs: 15_000 }],
    invalid: [badSpec, badPrebakeOptions],
    call: (t, [spec, options]) => t.kit.prebake(spec as Loose, options as Loose),
  },
  {
    name: "kit.prebaked.plan",
    valid: [{ git: true }],
    invalid: [badSpec],
    call: (t, [spec]) => t.kit.prebaked.plan(spec as Loose),
  },
  { name: "kit.prebaked.list", valid: [], invalid: [], call: (t) => t.kit.prebaked.list() },
  {
    name: "kit.prebaked.delete",
    valid: ["apex-prebaked-0000000000000000"],
    invalid: [
      fc.oneof(
        badString,
        fc.constantFrom(
          "apex-prebaked-",
          "apex-prebaked-../../etc",
          "daytona-small",
          "APEX-PREBAKED-0000000000000000",
        ),
      ),
    ],
    call: (t, [name]) => t.kit.prebaked.delete(name as Loose),
  },
  { name: "kit.get", valid: ["mem-1"], invalid: [badString], call: (t, [id]) => t.kit.get(id as Loose) },
  {
    name: "kit.list",
    valid: [{ projectId: "prop-main" }],
    invalid: [
      fc.oneof(
        badOptions,
        badProjectId.map((projectId) => ({ projectId })),
        fc.constant({ projectID: "x" }),
        fc.constant({ labels: "x" }),
      ),
    ],
    call: (t, [query]) => t.kit.list(query as Loose),
  },
  {
    name: "kit.deleteProject",
    valid: ["prop-nothing-here"],
    invalid: [badProjectId],
    call: (t, [id]) => t.kit.deleteProject(id as Loose),
  },
  // KitSandbox
  {
    name: "sandbox.preview",
    valid: [3000],
    invalid: [badPort],
    call: (t, [port]) => t.sandbox.preview(port as Loose),
  },
  { name: "sandbox.refresh", valid: [], invalid: [], call: (t) => t.sandbox.refresh() },
  // exec
  {
    name: "exec",
    valid: ["echo hi", small],
    invalid: [
      badString,
      fc.oneof(
        badOptions,
        badTimeout.map((timeoutMs) => ({ timeoutMs })),
        fc.constant({ signal: "abort" }),
        fc.constant({ env: { constructor: "x" } }),
        fc.constant({ okExitCodes: "0" }),
        loneSurrogate.map((cwd) => ({ cwd })),
      ),
    ],
    call: (t, [command, options]) => t.sandbox.exec(command as Loose, options as Loose),
  },
  // fs
  {
    name: "fs.writeText",
    valid: ["prop/a.txt", "text", undefined],
    invalid: [badFilePath, fc.oneof(nonString, loneSurrogate), badOptions],
    call: (t, a) => f(t).writeText(...a),
  },
  {
    name: "fs.writeBytes",
    valid: ["prop/b.bin", new Uint8Array([1, 2]), undefined],
    invalid: [badFilePath, fc.oneof(badString, fc.constant([1, 2])), badOptions],
    call: (t, a) => f(t).writeBytes(...a),
  },
  {
    name: "fs.writeJson",
    valid: ["prop/c.json", { a: 1 }, undefined],
    invalid: [badFilePath, fc.constantFrom<unknown>(undefined, () => 1, Symbol("j"), 10n), badOptions],
    call: (t, a) => f(t).writeJson(...a),
  },
  {
    name: "fs.writeFiles",
    valid: [[{ path: "prop/d.txt", text: "d" }], undefined],
    invalid: [
      fc.oneof(
        badOptions.filter((v) => !Array.isArray(v)),
        badFilePath.map((path) => [{ path, text: "x" }]),
        fc.constant([{ path: "x", text: "a", bytes: new Uint8Array(1) }]),
        loneSurrogate.map((text) => [{ path: "x", text }]),
      ),
      badOptions,
    ],
    call: (t, a) => f(t).writeFiles(...a),
  },
  ...(["readText", "readBytes", "readJson"] as const).map(
    (name): Method => ({
      name: `fs.${name}`,
      valid: ["prop/a.txt"],
      invalid: [badFilePath],
      call: (t, a) => f(t)[name](...a),
    }),
  ),
  ...(["exists", "list", "mkdir", "resolve"] as const).map(
    (name): Method => ({
      name: `fs.${name}`,
      valid: ["prop"],
      invalid: [badString],
      call: (t, a) => f(t)[name](...a),
    }),
  ),
  {
    name: "fs.remove",
    valid: ["prop/gone.txt", undefined],
    invalid: [badString, fc.oneof(badOptions, fc.constant({ recursive: "yes" }))],
    call: (t, a) => f(t).remove(...a),
  },
  {
    name: "fs.move",
    valid: ["prop/a.txt", "prop/a2.txt"],
    invalid: [badString, badString],
    call: (t, a) => f(t).move(...a),
  },
  {
    name: "fs.uploadLocalFile",
    valid: ["/nonexistent/kit-property-file", "prop/up.txt"],
    invalid: [badString, badFilePath],
    call: (t, a) => f(t).uploadLocalFile(...a),
  },
  // provision
  {
    name: "provision.apt",
    valid: [["curl"], small],
    invalid: [
      badPackages,
      fc.oneof(
        badOptions,
        badTimeout.map((timeoutMs) => ({ timeoutMs })),
      ),
    ],
    call: (t, a) => p(t).apt(...a),
  },
  ...(["git", "postgres", "redis", "mongo"] as const).map(
    (name): Method => ({
      name: `provision.${name}`,
      valid: [{}],
      invalid: [
        fc.oneof(
          badOptions,
          fc.constant({ signal: 1 }),
          fc.constant({ onEvent: "log" }),
          ...(name === "git" ? [fc.constant({ ignore: "dist" }), badField.map((email) => ({ email }))] : []),
          ...(name === "git" ? [] : [badPort.map((port) => ({ port }))]),
        ),
      ],
      call: (t, a) => p(t)[name](...a),
    }),
  ),
  {
    name: "provision.all",
    valid: [{ redis: true }],
    invalid: [
      fc.oneof(
        badOptions,
        fc.constant(undefined),
        fc.constant({ git: null }),
        fc.constant({ postgres: "yes" }),
        badTimeout.map((aptTimeoutMs) => ({ aptTimeoutMs })),
      ),
    ],
    call: (t, a) => p(t).all(...a),
  },
  ...(["install", "build", "serveStatic"] as const).map(
    (name): Method => ({
      name: `provision.node.${name}`,
      valid: ["app", {}],
      invalid: [
        badString,
        fc.oneof(
          badOptions,
          badTimeout.map((timeout) =>
            name === "serveStatic" ? { readyTimeoutMs: timeout } : { timeoutMs: timeout },
          ),
        ),
      ],
      call: (t, a) => p(t).node[name](...a),
      inspects: name !== "serveStatic",
    }),
  ),
  ...(
    [
      ["apt", [["curl"], undefined]],
      ["git", [undefined]],
      ["postgres", [undefined]],
      ["redis", [undefined]],
      ["mongo", [undefined]],
      ["all", [{ git: true }]],
      ["nodeInstall", ["app", undefined]],
      ["nodeBuild", ["app", undefined]],
      ["serveStatic", ["app", undefined]],
    ] as const
  ).map(
    ([name, valid]): Method => ({
      name: `provision.plan.${name}`,
      valid,
      invalid: valid.map((_, i) =>
        i === valid.length - 1 && valid.length === 1 && name === "all"
          ? fc.oneof(badOptions, fc.constant(undefined))
          : i === 0 && valid.length === 2
            ? name === "apt"
              ? badPackages
              : badString
            : badOptions,
      ),
      call: (t, a) => p(t).plan[name](...a),
    }),
  ),
];

// ---- running one call --------------------------------------------------------------------------------------
interface Outcome {
  readonly error?: KitError;
  readonly threw?: unknown;
  readonly unsettled?: boolean;
  readonly sent: number;
}

async function attempt(t: Target, method: Method, args: readonly unknown[]): Promise<Outcome> {
  const before = t.sent();
  let returned: unknown;
  try {
    returned = method.call(t, args);
  } catch (threw) {
    return { threw, sent: t.sent() - before };
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), SETTLE_MS);
  });
  try {
    const settled = await Promise.race([Promise.resolve(returned as Loose), late]);
    if (settled === "late") return { unsettled: true, sent: t.sent() - before };
    const result = settled as { isErr(): boolean; error?: KitError };
    return { ...(result.isErr() ? { error: result.error } : {}), sent: t.sent() - before };
  } catch (threw) {
    return { threw, sent: t.sent() - before };
  } finally {
    clearTimeout(timer);
  }
}

const ourInvalid = (error: KitError | undefined) =>
  error?.kind === "InvalidArgument" && (error as { status?: number }).status === undefined;

let cases = 0;

function check(outcome: Outcome, label: string, inspects = false): void {
  cases += 1;
  expect(outcome.threw, `${label} threw`).toBeUndefined();
  expect(outcome.unsettled, `${label} did not settle within ${SETTLE_MS} ms`).toBeUndefined();
  expect(outcome.error?.kind, `${label}: ${outcome.error?.message}`).not.toBe("Unexpected");
  if (ourInvalid(outcome.error) && !inspects) expect(outcome.sent, `${label} refused but sent`).toBe(0);
}

function describeSurface(name: string, setup: () => Promise<Target>, teardown: () => Promise<void>): void {
  describe(`the public surface under hostile input: ${name}`, () => {
    let target: Target;
    beforeAll(async () => {
      target = await setup();
    }, 120_000);
    afterAll(teardown);

    for (const method of METHODS) {
      it(`${method.name}: anything() in each argument never throws, hangs or leaks a refusal to the wire`, async () => {
        const positions = Math.max(method.valid.length, 1);
        for (let index = 0; index < positions; index++) {
          await fc.assert(
            fc.asyncProperty(anything, async (value) => {
              const args = [...method.valid];
              args[index] = value;
              check(await attempt(target, method, args), `${method.name} arg ${index}`, method.inspects);
            }),
            { numRuns: RUNS },
          );
        }
      }, 300_000);

      if (method.invalid.some((arbitrary) => arbitrary !== undefined)) {
        it(`${method.name}: every invalid argument is InvalidArgument with nothing sent`, async () => {
          for (const [index, arbitrary] of method.invalid.entries()) {
            if (!arbitrary) continue;
            await fc.assert(
              fc.asyncProperty(arbitrary, async (value) => {
                const args = [...method.valid];
                args[index] = value;
                const outcome = await attempt(target, method, args);
                check(outcome, `${method.name} arg ${index}`);
                expect(outcome.error?.kind, `${method.name} arg ${index} accepted an invalid value`).toBe(
                  "InvalidArgument",
                );
                expect(outcome.sent).toBe(0);
              }),
              { numRuns: RUNS },
            );
          }
        }, 300_000);
      }
    }
  });
}

/** Counts every driver call (memory backend). */
function counting(driver: SandboxDriver): { driver: SandboxDriver; calls: () => number } {
  let calls = 0;
  const proxy = new Proxy(driver, {
    get(inner, key, receiver) {
      const value = Reflect.get(inner, key, receiver);
      if (typeof value !== "function" || key === "dispose") return value;
      return (...args: unknown[]) => {
        calls += 1;
        return value.apply(inner, args);
      };
    },
  });
  return { driver: proxy, calls: () => calls };
}

let env: EmulatedDaytona | undefined;
describeSurface(
  "emulator (real SDK through msw)",
  async () => {
    env = startEmulatedDaytona();
    const { kit } = emulatedKit(env, {}, 60_000);
    const sandbox = (await kit.ensure({ projectId: "prop-main" }))._unsafeUnwrap();
    return { kit, sandbox, sent: () => env?.emulator.count() ?? 0 };
  },
  async () => {
    await env?.close();
  },
);

let memoryKit: Kit | undefined;
describeSurface(
  "in-memory driver",
  async () => {
    const { driver, calls } = counting(createMemoryDriver());
    memoryKit = createKit({ driver, env: {}, timeouts: { execMs: 2_000 } });
    const sandbox = (await memoryKit.ensure({ projectId: "prop-main" }))._unsafeUnwrap();
    return { kit: memoryKit, sandbox, sent: calls };
  },
  async () => {
    await memoryKit?.dispose();
  },
);

afterAll(() => {
  // For the lead's note: how much of the surface this file covers.
  console.log(`[public-surface] ${METHODS.length} public methods, ${cases} cases on 2 back ends`);
});
