import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona();
});
afterEach(() => env.emulator.reset());
afterAll(() => env.close());

const sandboxesOf = (projectId: string) =>
  [...env.emulator.state.sandboxes.values()].filter(
    (s) => s.labels["apex.project"] === projectId && s.state !== "destroyed",
  );

describe("ensure", () => {
  it("creates the project's sandbox once, then finds it by label", async () => {
    const { kit } = emulatedKit(env);
    const first = (await kit.ensure({ projectId: "blog" }))._unsafeUnwrap();
    expect(first.state).toBe("started");
    expect(first.projectId).toBe("blog");
    const again = (await kit.ensure({ projectId: "blog" }))._unsafeUnwrap();
    expect(again.id).toBe(first.id);
    expect(env.emulator.count("POST /sandbox")).toBe(1);
    // A second kit (a new process) has no registry entry and finds it by label.
    const { kit: other } = emulatedKit(env);
    expect((await other.ensure({ projectId: "blog" }))._unsafeUnwrap().id).toBe(first.id);
    expect(env.emulator.count("POST /sandbox")).toBe(1);
  });

  it("sends the default image and the project label on create", async () => {
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "img", labels: { team: "a" } }))._unsafeUnwrap();
    expect(sandbox.info.labels).toMatchObject({ "apex.project": "img", team: "a" });
    const record = env.emulator.state.sandboxes.get(sandbox.id);
    expect(JSON.stringify(record)).toContain("python:3.12-slim-bookworm");
  });

  it("starts a stopped sandbox instead of creating another", async () => {
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "sleepy" }))._unsafeUnwrap();
    expect((await sandbox.stop())._unsafeUnwrap().state).toBe("stopped");
    const again = (await kit.ensure({ projectId: "sleepy" }))._unsafeUnwrap();
    expect(again.id).toBe(sandbox.id);
    expect(again.state).toBe("started");
    expect(env.emulator.count("POST /sandbox/:id/start")).toBe(1);
    expect(env.emulator.count("POST /sandbox")).toBe(1);
  });

  it("shares one create among 20 concurrent ensures of one project", async () => {
    const { kit } = emulatedKit(env);
    const results = await Promise.all(Array.from({ length: 20 }, () => kit.ensure({ projectId: "busy" })));
    const ids = new Set(results.map((r) => r._unsafeUnwrap().id));
    expect(ids.size).toBe(1);
    expect(env.emulator.count("POST /sandbox")).toBe(1);
  });

  it("creates 20 sandboxes for 20 projects in parallel", async () => {
    const { kit } = emulatedKit(env);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => kit.ensure({ projectId: `p${i}` })),
    );
    expect(new Set(results.map((r) => r._unsafeUnwrap().id)).size).toBe(20);
    expect(env.emulator.count("POST /sandbox")).toBe(20);
  });

  it("adopts a sandbox whose create timed out but landed anyway: one sandbox, never two", async () => {
    const { kit } = emulatedKit(env);
    env.emulator.faults.inject("POST /sandbox", {
      status: 504,
      applyFirst: true,
      body: { statusCode: 504, message: "Gateway Timeout" },
    });
    const sandbox = (await kit.ensure({ projectId: "late" }))._unsafeUnwrap();
    expect(sandboxesOf("late")).toHaveLength(1);
    expect(sandboxesOf("late")[0]?.id).toBe(sandbox.id);
    expect(env.emulator.count("POST /sandbox")).toBe(1);
  });

  it("creates again after a 503 that did not land, looking up first", async () => {
    const { kit } = emulatedKit(env);
    env.emulator.faults.inject("POST /sandbox", { status: 503, body: { statusCode: 503, message: "busy" } });
    expect((await kit.ensure({ projectId: "retry-create" })).isOk()).toBe(true);
    expect(sandboxesOf("retry-create")).toHaveLength(1);
    expect(env.emulator.count("POST /sandbox")).toBe(2);
    expect(env.emulator.count("GET /sandbox")).toBe(2); // the first lookup, and the one before the second create
  });

  it("ends a sandbox that fails to start in SandboxFailed with the server's reason", async () => {
    const { kit } = emulatedKit(env);
    env.emulator.sandboxes.onNextCreate({ finalState: "error", errorReason: "image pull failed", polls: 1 });
    const failed = (await kit.ensure({ projectId: "broken" }))._unsafeUnwrapErr();
    expect(failed).toMatchObject({ kind: "SandboxFailed", state: "error", reason: "image pull failed" });
  });

  it("ends a sandbox stuck in creating in Timeout at the deadline", async () => {
    const { kit, clock } = emulatedKit(env, {}, 1_500);
    env.emulator.sandboxes.onNextCreate({ stuck: true });
    const stuck = (await kit.ensure({ projectId: "stuck" }))._unsafeUnwrapErr();
    expect(stuck.kind).toBe("Timeout");
    expect(clock.now()).toBeLessThanOrEqual(1_500);
    expect(sandboxesOf("stuck")).toHaveLength(1);
  }, 20_000);

  it("refuses a project id that cannot be a label value, sending nothing", async () => {
    const { kit } = emulatedKit(env);
    const bad = (await kit.ensure({ projectId: "../x y" }))._unsafeUnwrapErr();
    expect(bad).toMatchObject({ kind: "InvalidArgument", argument: "projectId" });
    expect(env.emulator.requests.length).toBe(0);
  });

  it("forgets a cached sandbox that was deleted behind its back and creates a new one", async () => {
    const { kit } = emulatedKit(env);
    const first = (await kit.ensure({ projectId: "ghost" }))._unsafeUnwrap();
    await env.driver.delete(first.id, { timeoutMs: 5_000 });
    const second = (await kit.ensure({ projectId: "ghost" }))._unsafeUnwrap();
    expect(second.id).not.toBe(first.id);
    expect(kit.registryEntries().get("ghost")).toBe(second.id);
  });

  it("forgets a cached id that now belongs to another project, and will not adopt it by its name", async () => {
    const { kit } = emulatedKit(env);
    const first = (await kit.ensure({ projectId: "mine" }))._unsafeUnwrap();
    await env.driver.setLabels(first.id, { "apex.project": "theirs" });
    // The relabelled sandbox still holds the name apex-mine: a Conflict that says so, never someone else's box.
    const second = (await kit.ensure({ projectId: "mine" }))._unsafeUnwrapErr();
    expect(second.kind).toBe("Conflict");
    expect(second.message).toContain("apex-mine");
    expect(second.message).toContain(first.id);
    expect(kit.registryEntries().has("mine")).toBe(false);
  });

  it("deletes a project's sandbox, and deleting it again is Ok", async () => {
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "bye" }))._unsafeUnwrap();
    expect((await sandbox.delete()).isOk()).toBe(true);
    expect((await sandbox.delete()).isOk()).toBe(true);
    expect((await kit.deleteProject("bye"))._unsafeUnwrap()).toBe(0);
    expect(sandboxesOf("bye")).toHaveLength(0);
  });

  it("fetches the preview link again after a restart (the token rotates)", async () => {
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "preview" }))._unsafeUnwrap();
    const first = (await sandbox.preview(8080))._unsafeUnwrap();
    expect((await sandbox.preview(8080))._unsafeUnwrap()).toBe(first); // cached while running
    await sandbox.stop();
    await sandbox.start();
    const second = (await sandbox.preview(8080))._unsafeUnwrap();
    expect(second.token).not.toBe(first.token);
    expect(env.emulator.count("GET /sandbox/:id/ports/:port/preview-url")).toBe(2);
  });
});

describe("lifecycle calls on one sandbox", () => {
  it("run one after another, so a stop racing a start does not wait for the SDK's timeout", async () => {
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "racy" }))._unsafeUnwrap();
    const [stopped, restarted] = await Promise.all([sandbox.stop(), sandbox.start()]);
    expect(stopped._unsafeUnwrap().state).toBe("stopped");
    expect(restarted._unsafeUnwrap().state).toBe("started");
    const order = env.emulator.requests
      .map((r) => r.route)
      .filter((route) => route === "POST /sandbox/:id/stop" || route === "POST /sandbox/:id/start");
    expect(order).toEqual(["POST /sandbox/:id/stop", "POST /sandbox/:id/start"]);
  });
});
