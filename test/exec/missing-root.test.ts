/**
 * Daytona's images have no /workspace until something creates it: the daemon answers a command sent there with
 * exit -1 "chdir /workspace: no such file or directory" before running it. The kit creates the root and sends the
 * command once more; the emulator answers as the daemon does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { couldNotEnter } from "../../src/exec/missing-root.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona();
});
afterAll(() => env.close());

const routesSince = (start: number) => env.emulator.requests.slice(start).map((r) => r.route);

describe("a command in a root that does not exist yet", () => {
  it("creates the root and runs the command once", async () => {
    const box = (await emulatedKit(env).kit.ensure({ projectId: "no-root-yet" }))._unsafeUnwrap();
    const start = env.emulator.requests.length;
    const result = await box.exec("pwd");
    expect(result._unsafeUnwrap().output.trim()).toBe("/workspace");
    expect(routesSince(start)).toEqual([
      "POST /toolbox/process/execute",
      "GET /toolbox/files/info",
      "POST /toolbox/files/folder",
      "POST /toolbox/process/execute",
    ]);
    // The first attempt never ran anything; the command ran exactly once.
    expect(env.emulator.commands(box.id).filter((c) => c.command === "pwd" && c.exitCode === 0)).toHaveLength(
      1,
    );
    // Once the root exists, a command is one request.
    const next = env.emulator.requests.length;
    expect((await box.exec("true")).isOk()).toBe(true);
    expect(routesSince(next)).toEqual(["POST /toolbox/process/execute"]);
  });

  it("streams output from a fresh sandbox too (a session cds into the root itself)", async () => {
    const box = (await emulatedKit(env).kit.ensure({ projectId: "no-root-stream" }))._unsafeUnwrap();
    const lines: string[] = [];
    const result = await box.exec("echo streamed", { onOutput: (line) => lines.push(line) });
    expect(result._unsafeUnwrap().output.trim()).toBe("streamed");
    expect(lines).toContain("streamed");
  });

  it("leaves a cwd the caller chose alone: a missing one is the command's failure", async () => {
    const box = (await emulatedKit(env).kit.ensure({ projectId: "no-root-own-cwd" }))._unsafeUnwrap();
    const result = await box.exec("pwd", { cwd: "/workspace/app" });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "CommandFailed", exitCode: -1 });
    expect((await box.fs.exists("app"))._unsafeUnwrap()).toBe(false);
  });
});

describe("couldNotEnter", () => {
  it("recognises the daemon's chdir failure and a shell's cd failure for that directory only", () => {
    expect(
      couldNotEnter({ exitCode: -1, output: "chdir /workspace: no such file or directory" }, "/workspace"),
    ).toBe(true);
    expect(
      couldNotEnter(
        { exitCode: 1, output: "bash: line 1: cd: /workspace: No such file or directory\n" },
        "/workspace",
      ),
    ).toBe(true);
    expect(couldNotEnter({ exitCode: 2, output: "sh: 1: cd: can't cd to /workspace\n" }, "/workspace")).toBe(
      true,
    );
    expect(
      couldNotEnter({ exitCode: 0, output: "chdir /workspace: no such file or directory" }, "/workspace"),
    ).toBe(false);
    expect(
      couldNotEnter({ exitCode: -1, output: "chdir /elsewhere: no such file or directory" }, "/workspace"),
    ).toBe(false);
    expect(couldNotEnter({ exitCode: 1, output: "make: *** [all] Error 1\n" }, "/workspace")).toBe(false);
  });
});
