/**
 * A destructive or scoping call never widens its scope because an argument is missing or mistyped:
 * `deleteProject`, `list` and `ensure` with undefined, null, numbers, objects and arrays are `InvalidArgument`,
 * with no request sent and the emulator's sandboxes (count and labels) unchanged; the same on the memory driver.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKit, type Kit } from "../../src/kit.js";
import { createMemoryDriver } from "../../src/testing/index.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona();
});
afterEach(() => env.emulator.reset());
afterAll(() => env.close());

const HOSTILE: readonly unknown[] = [
  undefined,
  null,
  123,
  0,
  Number.NaN,
  true,
  {},
  ["a"],
  [],
  "",
  " ",
  "undefined-but-/slashed",
  "sur\uD800",
  Symbol("p"),
  10n,
  () => "blog",
  new Date(0),
];

/** Sandbox ids with their labels and states: what "nothing changed" compares. */
const snapshot = () =>
  [...env.emulator.state.sandboxes.values()]
    .map((s) => `${s.id}:${s.state}:${JSON.stringify(s.labels)}`)
    .sort();

async function seed(kit: Kit): Promise<void> {
  for (const projectId of ["alpha", "beta", "gamma"]) (await kit.ensure({ projectId }))._unsafeUnwrap();
}

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

const calls: Record<
  string,
  (kit: Kit, value: unknown) => ReturnType<Kit["list"]> | ReturnType<Kit["ensure"]>
> = {
  "deleteProject(value)": (kit, value) => kit.deleteProject(value as Loose) as Loose,
  "list({ projectId: value })": (kit, value) => kit.list({ projectId: value as Loose }),
  "ensure({ projectId: value })": (kit, value) => kit.ensure({ projectId: value as Loose }),
};

describe("scoping arguments on the emulator", () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`${name} refuses every missing or mistyped project id, sends nothing and changes nothing`, async () => {
      const { kit } = emulatedKit(env);
      await seed(kit);
      const before = snapshot();
      expect(before).toHaveLength(3);
      const requestsBefore = env.emulator.count();
      for (const value of HOSTILE) {
        const result = await call(kit, value);
        expect(result.isErr(), `${name} with ${String(typeof value)}`).toBe(true);
        expect(result._unsafeUnwrapErr().kind).toBe("InvalidArgument");
        expect(result._unsafeUnwrapErr().message).toMatch(/projectId/);
      }
      expect(env.emulator.count()).toBe(requestsBefore);
      expect(snapshot()).toEqual(before);
    });
  }

  it("list and ensure refuse null, numbers, strings and arrays as the whole argument", async () => {
    const { kit } = emulatedKit(env);
    await seed(kit);
    const before = snapshot();
    const requestsBefore = env.emulator.count();
    for (const value of [null, 1, "alpha", ["alpha"], new Map(), { projectID: "alpha" }]) {
      const listed = await kit.list(value as Loose);
      expect(listed._unsafeUnwrapErr().kind).toBe("InvalidArgument");
      const ensured = await kit.ensure(value as Loose);
      expect(ensured._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    }
    expect((await kit.ensure(undefined as Loose))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(env.emulator.count()).toBe(requestsBefore);
    expect(snapshot()).toEqual(before);
  });

  it("still lists everything when asked explicitly, and deletes only the named project", async () => {
    const { kit } = emulatedKit(env);
    await seed(kit);
    expect((await kit.list())._unsafeUnwrap()).toHaveLength(3);
    expect((await kit.list({}))._unsafeUnwrap()).toHaveLength(3);
    expect((await kit.deleteProject("beta"))._unsafeUnwrap()).toBe(1);
    const left = (await kit.list())._unsafeUnwrap().filter((s) => s.state !== "destroyed");
    expect(left.map((s) => s.labels["apex.project"]).sort()).toEqual(["alpha", "gamma"]);
  });
});

describe("scoping arguments on the memory driver", () => {
  it("deleteProject(undefined) deletes nothing and calls no driver method", async () => {
    let driverCalls = 0;
    const driver = createMemoryDriver({
      onCall: () => {
        driverCalls += 1;
        return undefined;
      },
    });
    for (const projectId of ["a", "b", "c", "d"]) driver.seed({ labels: { "apex.project": projectId } });
    const kit = createKit({ driver, env: {} });
    for (const value of HOSTILE) {
      expect((await kit.deleteProject(value as Loose))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
      expect((await kit.list({ projectId: value as Loose }))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    }
    expect(driverCalls).toBe(0);
    expect((await driver.list())._unsafeUnwrap()).toHaveLength(4);
  });
});

describe("file names with RFC 5987 specials on the emulator (found by the property test)", () => {
  it("reads back a file named with ' ( ) * ! and answers NotFound, not Unexpected, for a missing one", async () => {
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "quotes" }))._unsafeUnwrap();
    expect((await sandbox.fs.readBytes("'"))._unsafeUnwrapErr().kind).toBe("NotFound");
    (await sandbox.fs.writeText("it's (a*b)!.txt", "x"))._unsafeUnwrap();
    expect((await sandbox.fs.readText("it's (a*b)!.txt"))._unsafeUnwrap()).toBe("x");
  });
});
