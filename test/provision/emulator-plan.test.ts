/**
 * On the emulator, every recipe runs exactly the commands its plan() lists, in order. A catch-all rule answers every
 * command with exit 0 and no output (the emulator's own shell answers apt-get, git, pg_* … with 127, as a sandbox
 * without them would), so every probe reads as "not done" and every step runs; steps stream their
 * output, so the Daytona driver sends each through a session, wrapped as `cd <root> && sh -c <command>`.
 * The node recipes are left out here: their preflight reads facts (package.json, lock files) from the probe's
 * output, which this shell cannot produce; test/provision/node.test.ts checks their sequences with a scripted exec
 * and test/provision/e2e-local.test.ts runs them for real.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCommandLine } from "../../src/driver/daytona/session-exec.js";
import type { ProvisionStep } from "../../src/provision/index.js";
import type { KitSandbox } from "../../src/sandbox/handle.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
let sandbox: KitSandbox;
beforeAll(async () => {
  env = startEmulatedDaytona();
  sandbox = (await emulatedKit(env).kit.ensure({ projectId: "plans" }))._unsafeUnwrap();
  // The emulated image starts empty: give steps their working directory.
  (await sandbox.fs.mkdir("/workspace"))._unsafeUnwrap();
  env.emulator.onCommand(() => true, { exitCode: 0, output: "" });
});
afterAll(() => env.close());

/** Runs `apply` and returns the step commands the emulated daemon received (probe and report scripts left out). */
async function stepCommandsOf(apply: () => unknown): Promise<string[]> {
  const before = env.emulator.commands(sandbox.id).length;
  await apply();
  return env.emulator
    .commands(sandbox.id)
    .slice(before)
    .filter((c) => c.sessionId !== undefined)
    .map((c) => c.command);
}

const asSent = (steps: readonly ProvisionStep[]) =>
  steps.map((step) => sessionCommandLine({ command: step.command, cwd: sandbox.fs.root }));

describe("recipes on the emulator follow their plan", () => {
  it("apt", async () => {
    const planned = sandbox.provision.plan.apt(["git", "curl"])._unsafeUnwrap();
    expect(await stepCommandsOf(() => sandbox.provision.apt(["git", "curl"]))).toEqual(asSent(planned));
  });

  it("git", async () => {
    const options = { name: "Ada", email: "ada@example.com", init: "/workspace/repo" };
    const planned = sandbox.provision.plan.git(options)._unsafeUnwrap();
    expect(await stepCommandsOf(() => sandbox.provision.git(options))).toEqual(asSent(planned));
  });

  it("postgres", async () => {
    const options = { database: "myapp", port: 55432 };
    const planned = sandbox.provision.plan.postgres(options)._unsafeUnwrap();
    expect(await stepCommandsOf(() => sandbox.provision.postgres(options))).toEqual(asSent(planned));
  });

  it("redis", async () => {
    const planned = sandbox.provision.plan.redis({ port: 56379 })._unsafeUnwrap();
    expect(await stepCommandsOf(() => sandbox.provision.redis({ port: 56379 }))).toEqual(asSent(planned));
  });

  it("all", async () => {
    const options = { git: true, postgres: { database: "app" }, redis: true } as const;
    const planned = sandbox.provision.plan.all(options)._unsafeUnwrap();
    expect(planned.filter((s) => s.command.includes("apt-get update")).length).toBeGreaterThan(0);
    expect(await stepCommandsOf(() => sandbox.provision.all(options))).toEqual(asSent(planned));
  });
});
