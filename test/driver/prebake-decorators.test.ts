import { errAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { forwardingDriver } from "../../src/driver/forwarding.js";
import { withRetries } from "../../src/driver/retrying.js";
import { withCallScopes } from "../../src/driver/scoped.js";
import { withSerializedLifecycle } from "../../src/driver/serialized.js";
import { withThrottling } from "../../src/driver/throttled.js";
import type { PrebakePlan, SandboxDriver } from "../../src/driver/types.js";
import { kitError } from "../../src/errors.js";
import { createThrottleGate } from "../../src/policy/throttle-gate.js";
import { createMemoryDriver } from "../../src/testing/index.js";

const plan: PrebakePlan = {
  name: "apex-prebaked-decorated",
  baseImage: "debian:12-slim",
  commands: ["echo baked"],
  labels: {},
};

const decorators: [string, (driver: SandboxDriver) => SandboxDriver][] = [
  ["forwarding", forwardingDriver],
  ["serialized", withSerializedLifecycle],
  ["throttled", (d) => withThrottling(d, createThrottleGate(), undefined)],
  ["retrying", (d) => withRetries(d)],
  ["scoped", (d) => withCallScopes(d, { lifetime: new AbortController().signal, defaultMs: 5_000 })],
];

describe("driver decorators and the optional prebake part", () => {
  for (const [name, decorate] of decorators) {
    it(`${name}: passes prebake, listPrebaked and deletePrebaked to a driver that has them`, async () => {
      const inner = createMemoryDriver();
      const decorated = decorate(inner);
      const lines: string[] = [];
      const built = await decorated.prebake?.(plan, { timeoutMs: 5_000, onLog: (l) => lines.push(l) });
      expect(built?._unsafeUnwrap()).toMatchObject({ built: true, createFrom: { snapshot: plan.name } });
      expect(lines).toContain("baked");
      expect(inner.state.findSnapshot(plan.name)?.state).toBe("active");
      const listed = await decorated.listPrebaked?.("apex-prebaked-");
      expect(listed?._unsafeUnwrap().map((e) => e.name)).toEqual([plan.name]);
      expect((await decorated.deletePrebaked?.(plan.name))?.isOk()).toBe(true);
      expect(inner.state.snapshots.size).toBe(0);
    });

    it(`${name}: invents none of them for a driver without prebake`, () => {
      const { prebake, listPrebaked, deletePrebaked, ...plain } = createMemoryDriver();
      expect([prebake, listPrebaked, deletePrebaked].every((m) => typeof m === "function")).toBe(true);
      const decorated = decorate(plain);
      expect("prebake" in decorated).toBe(false);
      expect("listPrebaked" in decorated).toBe(false);
      expect("deletePrebaked" in decorated).toBe(false);
    });
  }

  it("scoped: an aborted caller signal reaches the inner prebake", async () => {
    const decorated = withCallScopes(createMemoryDriver(), {
      lifetime: new AbortController().signal,
      defaultMs: 5_000,
    });
    const result = await decorated.prebake?.(plan, { timeoutMs: 5_000, signal: AbortSignal.abort() });
    expect(result?._unsafeUnwrapErr().kind).toBe("Aborted");
  });

  it("retrying: a listing is resent after a transient failure, a delete never is", async () => {
    const inner = createMemoryDriver();
    const calls = { list: 0, delete: 0 };
    const failing: SandboxDriver = {
      ...inner,
      listPrebaked: () => {
        calls.list += 1;
        return errAsync(kitError.transient("list snapshots: HTTP 503", { status: 503 }));
      },
      deletePrebaked: () => {
        calls.delete += 1;
        return errAsync(kitError.transient("delete snapshot: HTTP 503", { status: 503 }));
      },
    };
    const decorated = withRetries(failing, { attempts: 3, baseDelayMs: 0, random: () => 0 });
    expect((await decorated.listPrebaked?.("apex-"))?._unsafeUnwrapErr().kind).toBe("Transient");
    expect((await decorated.deletePrebaked?.(plan.name))?._unsafeUnwrapErr().kind).toBe("Transient");
    // A lost delete answer may follow a delete that happened: resending it could report a false NotFound.
    expect(calls).toEqual({ list: 3, delete: 1 });
  });
});
