import { DaytonaNotFoundError, DaytonaTimeoutError } from "@daytonaio/sdk";
import { describe, expect, it } from "vitest";
import { useEmulator } from "./fixture.js";

const env = useEmulator();

describe("process/execute", () => {
  it("returns the exit code and output, and records the command with cwd, env and timeout", async () => {
    const sandbox = await env.client().create();
    const result = await sandbox.process.executeCommand(
      'echo "$GREETING, world"',
      "/tmp",
      { GREETING: "hi" },
      10,
    );
    expect(result).toMatchObject({ exitCode: 0, result: "hi, world\n" });
    expect(env.emulator.commands(sandbox.id)).toEqual([
      expect.objectContaining({
        command: 'echo "$GREETING, world"',
        cwd: "/tmp",
        env: { GREETING: "hi" },
        timeoutSeconds: 10,
        exitCode: 0,
        timedOut: false,
      }),
    ]);
  });

  it("reports non-zero exits and reads files from the emulated fs", async () => {
    const seeded = env.emulator.sandboxes.seed({ files: { "/home/daytona/app.txt": "content\n" } });
    const sandbox = await env.client().get(seeded.id);
    expect(await sandbox.process.executeCommand("exit 3")).toMatchObject({ exitCode: 3, result: "" });
    expect(await sandbox.process.executeCommand("cat app.txt")).toMatchObject({
      exitCode: 0,
      result: "content\n",
    });
    expect(await sandbox.process.executeCommand("cat nope.txt")).toMatchObject({
      exitCode: 1,
      result: "cat: nope.txt: No such file or directory\n",
    });
    expect(await sandbox.process.executeCommand("pwd", "/home/daytona")).toMatchObject({
      result: "/home/daytona\n",
    });
  });

  it("answers 408 when the emulated run exceeds the sent timeout, which the SDK maps to DaytonaTimeoutError", async () => {
    const sandbox = await env.client().create();
    const failure = await sandbox.process
      .executeCommand("sleep 5", undefined, undefined, 2)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaTimeoutError);
    expect(failure).toMatchObject({ statusCode: 408 });
    expect(env.emulator.commands(sandbox.id)[0]).toMatchObject({
      command: "sleep 5",
      timedOut: true,
      exitCode: 137,
    });
    expect(await sandbox.process.executeCommand("sleep 1", undefined, undefined, 2)).toMatchObject({
      exitCode: 0,
    });
  });

  it("lets tests answer commands with onCommand rules (newest first) and the commandResponder option", async () => {
    const emulator = env.withOptions({
      commandResponder: ({ command }) =>
        command === "node -v" ? { exitCode: 0, output: "v20.0.0\n" } : undefined,
    });
    emulator.onCommand(/^npm /, { exitCode: 0, output: "added 1 package\n" });
    emulator.onCommand("npm run build", ({ cwd }) => ({ exitCode: 2, output: `build failed in ${cwd}\n` }));
    const sandbox = await env.client().create();
    expect(await sandbox.process.executeCommand("npm install")).toMatchObject({
      result: "added 1 package\n",
    });
    expect(await sandbox.process.executeCommand("npm run build", "/w")).toMatchObject({
      exitCode: 2,
      result: "build failed in /w\n",
    });
    expect(await sandbox.process.executeCommand("node -v")).toMatchObject({ result: "v20.0.0\n" });
    // No rule: the built-in shell answers as sh does for a missing program.
    expect(await sandbox.process.executeCommand("unknown-tool --flag")).toMatchObject({
      exitCode: 127,
      result: "sh: 1: unknown-tool: not found\n",
    });
    expect(emulator.commands().map((c) => c.command)).toEqual([
      "npm install",
      "npm run build",
      "node -v",
      "unknown-tool --flag",
    ]);
  });

  it("lets a responder write into the emulated fs", async () => {
    env.emulator.onCommand(/^touch /, ({ command, fs }) => {
      fs.writeFile(command.slice(6), "");
      return { exitCode: 0, output: "" };
    });
    const sandbox = await env.client().create();
    await sandbox.process.executeCommand("touch marker", "/tmp");
    expect(env.emulator.sandboxes.get(sandbox.id)?.files.has("/tmp/marker")).toBe(true);
  });
});

describe("sessions", () => {
  it("creates a session, runs sync and async commands, reads them and their logs, deletes it", async () => {
    const sandbox = await env.client().create();
    await sandbox.process.createSession("s1");
    const sync = await sandbox.process.executeSessionCommand("s1", { command: "echo one" });
    expect(sync).toMatchObject({ exitCode: 0, output: "one\n", stdout: "one\n", stderr: "" });

    const started = await sandbox.process.executeSessionCommand("s1", {
      command: "cat missing",
      runAsync: true,
    });
    expect(started.cmdId).toEqual(expect.any(String));
    expect(started.exitCode).toBeUndefined();
    const command = await sandbox.process.getSessionCommand("s1", started.cmdId);
    expect(command).toMatchObject({ id: started.cmdId, command: "cat missing", exitCode: 1 });
    const logs = await sandbox.process.getSessionCommandLogs("s1", started.cmdId);
    expect(logs).toEqual({
      output: "cat: missing: No such file or directory\n",
      stdout: "",
      stderr: "cat: missing: No such file or directory\n",
    });

    const session = await sandbox.process.getSession("s1");
    expect(session.commands.map((c) => c.command)).toEqual(["echo one", "cat missing"]);
    expect(env.emulator.commands(sandbox.id).map((c) => c.sessionId)).toEqual(["s1", "s1"]);

    await sandbox.process.deleteSession("s1");
    expect(env.emulator.sandboxes.get(sandbox.id)?.sessions.size).toBe(0);
    await expect(sandbox.process.getSession("s1")).rejects.toBeInstanceOf(DaytonaNotFoundError);
  });

  it("answers 409 for a duplicate session id", async () => {
    const sandbox = await env.client().create();
    await sandbox.process.createSession("dup");
    await expect(sandbox.process.createSession("dup")).rejects.toMatchObject({ statusCode: 409 });
  });
});

describe("responder failures", () => {
  it("turns a throwing responder into a 500 whose message names the route and the cause", async () => {
    env.emulator.onCommand("explode", () => {
      throw new Error("responder bug");
    });
    const sandbox = await env.client().create();
    await expect(sandbox.process.executeCommand("explode")).rejects.toMatchObject({
      statusCode: 500,
      message: "emulator: POST /toolbox/process/execute failed: responder bug",
    });
    expect(env.emulator.requests.at(-1)?.status).toBe(500);
  });
});
