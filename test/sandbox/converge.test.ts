import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isStateChangeInProgress } from "../../src/driver/converge.js";
import { kitError } from "../../src/errors.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona({ pollsUntilStarted: 2 });
});
afterEach(() => env.emulator.reset());
afterAll(() => env.close());

async function stoppedSandbox(projectId: string) {
  const { kit } = emulatedKit(env);
  const sandbox = (await kit.ensure({ projectId }))._unsafeUnwrap();
  expect((await sandbox.stop()).isOk()).toBe(true);
  return { kit, sandbox };
}

describe("lifecycle calls converge instead of re-sending", () => {
  it("start accepted, then a 503 on the status check: Ok, started, exactly one start request", async () => {
    const { sandbox } = await stoppedSandbox("converge-start");
    const startsBefore = env.emulator.count("POST /sandbox/:id/start");
    env.emulator.faults.inject("GET /sandbox/:id", { status: 503 });
    const started = await sandbox.start();
    expect(started.isOk()).toBe(true);
    expect(started._unsafeUnwrap().state).toBe("started");
    expect(env.emulator.sandboxes.get(sandbox.id)?.state).toBe("started");
    expect(env.emulator.count("POST /sandbox/:id/start") - startsBefore).toBe(1);
  });

  it("a start whose answer was lost (applied, then 503) is observed, not sent again", async () => {
    const { sandbox } = await stoppedSandbox("converge-lost");
    const startsBefore = env.emulator.count("POST /sandbox/:id/start");
    env.emulator.faults.inject("POST /sandbox/:id/start", { status: 503, applyFirst: true });
    const started = await sandbox.start();
    expect(started._unsafeUnwrap().state).toBe("started");
    expect(env.emulator.count("POST /sandbox/:id/start") - startsBefore).toBe(1);
  });

  it("a start the server refused with a 503 (nothing applied) is sent again", async () => {
    const { sandbox } = await stoppedSandbox("converge-refused");
    const startsBefore = env.emulator.count("POST /sandbox/:id/start");
    env.emulator.faults.inject("POST /sandbox/:id/start", { status: 503 });
    const started = await sandbox.start();
    expect(started._unsafeUnwrap().state).toBe("started");
    expect(env.emulator.count("POST /sandbox/:id/start") - startsBefore).toBe(2);
  });

  it("a stop accepted, then a 502 on the status check, ends Ok and stopped with one stop request", async () => {
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "converge-stop" }))._unsafeUnwrap();
    const before = env.emulator.count("POST /sandbox/:id/stop");
    env.emulator.faults.inject("GET /sandbox/:id", { status: 502 });
    const stopped = await sandbox.stop();
    expect(stopped._unsafeUnwrap().state).toBe("stopped");
    expect(env.emulator.count("POST /sandbox/:id/stop") - before).toBe(1);
  });

  it("'state change in progress' (409) from a concurrent start means wait, not fail", async () => {
    const { sandbox } = await stoppedSandbox("converge-409");
    // A second kit: its own in-process serialization, like another process sharing the organisation.
    const other = (await emulatedKit(env).kit.get(sandbox.id))._unsafeUnwrap();
    const startsBefore = env.emulator.count("POST /sandbox/:id/start");
    const [first, second] = await Promise.all([sandbox.start(), other.start()]);
    expect(first._unsafeUnwrap().state).toBe("started");
    expect(second._unsafeUnwrap().state).toBe("started");
    const starts = env.emulator.requests.filter((r) => r.route === "POST /sandbox/:id/start").slice(-2);
    expect(starts.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(env.emulator.count("POST /sandbox/:id/start") - startsBefore).toBe(2);
  });

  it("a non-retryable refusal still fails at once", async () => {
    const { sandbox } = await stoppedSandbox("converge-403");
    env.emulator.faults.inject("POST /sandbox/:id/start", { status: 403, body: { message: "quota" } });
    const started = await sandbox.start();
    expect(started._unsafeUnwrap.bind(started)).toThrow();
    expect(started.isErr() && started.error.kind).toBe("Forbidden");
  });
});

describe("isStateChangeInProgress", () => {
  it("recognises Daytona's refusal as 400 and as 409, and nothing else", () => {
    const message = "State change in progress";
    expect(isStateChangeInProgress(kitError.invalidArgument("start", message, { status: 400 }))).toBe(true);
    expect(isStateChangeInProgress(kitError.conflict(message))).toBe(true);
    expect(isStateChangeInProgress(kitError.conflict("name taken"))).toBe(false);
    expect(isStateChangeInProgress(kitError.transient(message))).toBe(false);
  });
});
