import { ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { createProvisioner, type ProvisionEvent } from "../../src/provision/index.js";
import { BOOKWORM_REPORTS, createFakeExec, createFakeWriter, type FakeHandlers } from "./fake-exec.js";

function setup(handlers: FakeHandlers = {}) {
  const fake = createFakeExec({ report: (name) => ({ output: BOOKWORM_REPORTS[name] ?? "" }), ...handlers });
  const provision = createProvisioner({ exec: fake.exec, writeText: createFakeWriter().writeText });
  return { fake, provision };
}

const everything = {
  git: true,
  postgres: { database: "myapp", port: 55432 },
  redis: { port: 56379 },
} as const;

describe("provision.all", () => {
  it("runs exactly one apt-get update and one apt-get install of the union of packages on a fresh sandbox", async () => {
    const { fake, provision } = setup();
    const result = await provision.all(everything);
    expect(result.isOk()).toBe(true);
    expect(fake.matching(/^apt-get update/)).toHaveLength(1);
    const installs = fake.matching("apt-get install");
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain("for p in git postgresql postgresql-client redis-server;");
  });

  it("orders the shared apt steps first, then each service's steps", () => {
    const steps = setup().provision.plan.all(everything)._unsafeUnwrap();
    expect(steps.map((step) => step.name)).toEqual([
      "apt.update",
      "apt.install",
      "git.config",
      "postgres.cluster",
      "postgres.configure",
      "postgres.start",
      "postgres.database",
      "redis.start",
    ]);
  });

  it("returns each requested service's typed result", async () => {
    const result = (await setup().provision.all(everything))._unsafeUnwrap();
    expect(result.git?.version).toBe("2.39.5");
    expect(result.postgres?.url).toBe("postgresql://postgres@localhost:55432/myapp");
    expect(result.redis?.url).toBe("redis://127.0.0.1:56379");
  });

  it("on a provisioned sandbox installs nothing and costs a single exec round trip", async () => {
    const events: ProvisionEvent[] = [];
    const { fake, provision } = setup({ check: () => true });
    const result = (
      await provision.all({ ...everything, onEvent: (event) => events.push(event) })
    )._unsafeUnwrap();
    expect(fake.calls).toHaveLength(1);
    expect(fake.matching("apt-get install")).toHaveLength(0);
    expect(fake.stepCommands()).toEqual([]);
    expect(events.every((event) => event.type === "skipped")).toBe(true);
    expect(events).toHaveLength(8);
    expect([result.git?.changed, result.postgres?.changed, result.redis?.changed]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it("leaves out the services that were not asked for", async () => {
    const { fake, provision } = setup();
    const result = (await provision.all({ redis: true }))._unsafeUnwrap();
    expect(Object.keys(result)).toEqual(["redis"]);
    expect(fake.matching("for p in redis-server;")).toHaveLength(1);
  });

  it("validates every service before running anything", async () => {
    const { fake, provision } = setup();
    const result = await provision.all({ git: true, postgres: { database: "x'; DROP DATABASE y; --" } });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "database" });
    expect(fake.calls).toHaveLength(0);
  });

  it("serializes calls of one provisioner so two apt runs never overlap", async () => {
    let running = 0;
    let overlapped = false;
    const fake = createFakeExec({ report: (name) => ({ output: BOOKWORM_REPORTS[name] ?? "" }) });
    const slowExec: typeof fake.exec = (command, options) => {
      running += 1;
      if (running > 1) overlapped = true;
      const later = new Promise((resolve) => setTimeout(resolve, 5)).then(async () => {
        running -= 1;
        return await fake.exec(command, options);
      });
      return new ResultAsync(later);
    };
    const provision = createProvisioner({ exec: slowExec, writeText: createFakeWriter().writeText });
    const [a, b] = await Promise.all([provision.git(), provision.redis()]);
    expect(a.isOk() && b.isOk()).toBe(true);
    expect(overlapped).toBe(false);
  });
});
