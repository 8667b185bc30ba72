import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ExecOutcome, ExecRequest } from "../../src/driver/types.js";
import { type KitError, kitError } from "../../src/errors.js";
import { createExec } from "../../src/exec/exec.js";
import { createMemoryDriver, type MemoryDriver } from "../../src/testing/index.js";

let driver: MemoryDriver;
let sandboxId: string;

beforeEach(() => {
  driver = createMemoryDriver();
  sandboxId = driver.seed().id;
});

/** Replaces the driver's exec with one answer, recording the requests. */
function answer(outcome: ExecOutcome | KitError, options: { delayMs?: number; chunks?: string[] } = {}) {
  const requests: ExecRequest[] = [];
  vi.spyOn(driver, "exec").mockImplementation((_id, request) => {
    requests.push(request);
    for (const chunk of options.chunks ?? []) request.onOutput?.(chunk);
    const result =
      "kind" in outcome ? errAsync<ExecOutcome, KitError>(outcome) : okAsync<ExecOutcome, KitError>(outcome);
    if (!options.delayMs) return result;
    const wait = new Promise<void>((resolve) => setTimeout(resolve, options.delayMs));
    return ResultAsync.fromSafePromise(wait).andThen(() => result);
  });
  return requests;
}

describe("createExec", () => {
  it("always sends a timeout in milliseconds, the default cwd, and the env", async () => {
    const requests = answer({ exitCode: 0, output: "ok\n" });
    const exec = createExec({ driver, sandboxId });
    await exec("true");
    await exec("true", { timeoutMs: 1_500, cwd: "/tmp", env: { A: "1" } });
    expect(requests[0]).toMatchObject({ command: "true", timeoutMs: 60_000, cwd: "/workspace" });
    expect(requests[1]).toMatchObject({ timeoutMs: 1_500, cwd: "/tmp", env: { A: "1" } });
    await createExec({ driver, sandboxId, defaultCwd: "/srv", defaultTimeoutMs: 5_000 })("true");
    expect(requests[2]).toMatchObject({ timeoutMs: 5_000, cwd: "/srv" });
  });

  it("returns exit code, combined output and a measured duration", async () => {
    answer({ exitCode: 0, output: "out\nerr\n" }, { delayMs: 20 });
    const result = (await createExec({ driver, sandboxId })("build"))._unsafeUnwrap();
    expect(result.exitCode).toBe(0);
    expect(result.output).toBe("out\nerr\n");
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it("turns a non-zero exit into CommandFailed with command, code and output", async () => {
    answer({ exitCode: 2, output: "boom\n" });
    const error = (await createExec({ driver, sandboxId })("make all"))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: "CommandFailed",
      command: "make all",
      exitCode: 2,
      output: "boom\n",
    });
    expect(error.retryable).toBe(false);
  });

  it("accepts exit codes listed in okExitCodes", async () => {
    answer({ exitCode: 1, output: "" });
    const result = await createExec({ driver, sandboxId })("grep x f", { okExitCodes: [0, 1] });
    expect(result._unsafeUnwrap().exitCode).toBe(1);
  });

  it("maps exit 137 to OutOfMemory when the deadline had not passed", async () => {
    answer({ exitCode: 137, output: "Killed\n" });
    const error = (await createExec({ driver, sandboxId })("pnpm install"))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: "OutOfMemory",
      command: "pnpm install",
      exitCode: 137,
      output: "Killed\n",
    });
  });

  it("maps exit 137 to Timeout when it came after our deadline", async () => {
    answer({ exitCode: 137, output: "" }, { delayMs: 40 });
    const error = (
      await createExec({ driver, sandboxId })("sleep 100", { timeoutMs: 30 })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "Timeout", afterMs: 30 });
  });

  it("maps exit 137 with an OOM kill seen by the driver to OutOfMemory, even after the deadline", async () => {
    answer({ exitCode: 137, output: "", oomKilled: true }, { delayMs: 40 });
    const error = (
      await createExec({ driver, sandboxId })("node big.js", { timeoutMs: 30 })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "OutOfMemory", exitCode: 137 });
  });

  it("maps exit 137 without an OOM kill to CommandFailed with the signal", async () => {
    answer({ exitCode: 137, output: "bye\n", oomKilled: false });
    const error = (await createExec({ driver, sandboxId })("kill -9 $$"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "CommandFailed", exitCode: 137, signal: "SIGKILL", output: "bye\n" });
    expect(error.message).toContain("killed by SIGKILL");
  });

  it("keeps the tail of an output longer than maxOutputBytes, whole characters only, and says so", async () => {
    const requests = answer({ exitCode: 0, output: `head-${"é".repeat(10)}` });
    const result = (await createExec({ driver, sandboxId })("cat", { maxOutputBytes: 7 }))._unsafeUnwrap();
    expect(requests[0]?.maxOutputBytes).toBe(7);
    expect(result).toMatchObject({ output: "ééé", truncated: true });
    const short = (await createExec({ driver, sandboxId })("cat"))._unsafeUnwrap();
    expect(short.truncated).toBeUndefined();
    expect(requests[1]?.maxOutputBytes).toBe(10 * 1024 * 1024);
  });

  it("passes a driver's truncated flag through and refuses a bad maxOutputBytes", async () => {
    answer({ exitCode: 0, output: "tail", truncated: true });
    const exec = createExec({ driver, sandboxId });
    expect((await exec("cat"))._unsafeUnwrap()).toMatchObject({ output: "tail", truncated: true });
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect((await exec("cat", { maxOutputBytes: bad }))._unsafeUnwrapErr()).toMatchObject({
        kind: "InvalidArgument",
      });
    }
  });

  it("passes the driver's Timeout through", async () => {
    answer(kitError.timeout("exec", 1_000));
    expect((await createExec({ driver, sandboxId })("sleep 5"))._unsafeUnwrapErr().kind).toBe("Timeout");
  });

  it("answers Timeout itself when the driver hangs past the deadline and grace", async () => {
    vi.spyOn(driver, "exec").mockImplementation((_id, request) =>
      ResultAsync.fromSafePromise(
        new Promise<ExecOutcome>((resolve) =>
          request.signal?.addEventListener("abort", () => resolve({ exitCode: 0, output: "late" })),
        ),
      ),
    );
    const exec = createExec({ driver, sandboxId, deadlineGraceMs: 10 });
    const error = (await exec("hang", { timeoutMs: 20 }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "Timeout", afterMs: 20 });
    expect(vi.mocked(driver.exec).mock.calls[0]?.[1].signal?.aborted).toBe(true);
  });

  it("reports Timeout, not the driver's own Aborted, when our deadline stops the call", async () => {
    vi.spyOn(driver, "exec").mockImplementation((_id, request) =>
      ResultAsync.fromPromise(
        new Promise<ExecOutcome>((_resolve, reject) =>
          request.signal?.addEventListener("abort", () => reject(kitError.aborted("exec"))),
        ),
        (e) => e as KitError,
      ),
    );
    const exec = createExec({ driver, sandboxId, deadlineGraceMs: 5 });
    expect((await exec("hang", { timeoutMs: 10 }))._unsafeUnwrapErr()).toMatchObject({
      kind: "Timeout",
      afterMs: 10,
    });
  });

  it.each([
    ["", "command"],
    ["   ", "command"],
    ["echo a\0b", "command"],
  ])("refuses the command %j with InvalidArgument and no driver call", async (command, argument) => {
    const requests = answer({ exitCode: 0, output: "" });
    const error = (await createExec({ driver, sandboxId })(command))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "InvalidArgument", argument });
    expect(requests).toHaveLength(0);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])("refuses timeoutMs %s", async (timeoutMs) => {
    const requests = answer({ exitCode: 0, output: "" });
    const error = (await createExec({ driver, sandboxId })("true", { timeoutMs }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "InvalidArgument", argument: "timeoutMs" });
    expect(requests).toHaveLength(0);
  });

  it("refuses bad env names, NUL in env values and cwd", async () => {
    const requests = answer({ exitCode: 0, output: "" });
    const exec = createExec({ driver, sandboxId });
    expect((await exec("true", { env: { "A-B": "1" } }))._unsafeUnwrapErr()).toMatchObject({
      argument: "env",
    });
    expect((await exec("true", { env: { A: "x\0" } }))._unsafeUnwrapErr()).toMatchObject({ argument: "env" });
    expect((await exec("true", { cwd: "/a\0" }))._unsafeUnwrapErr()).toMatchObject({ argument: "cwd" });
    expect(requests).toHaveLength(0);
  });

  it("streams whole lines to onOutput, flushing the last partial line", async () => {
    answer({ exitCode: 0, output: "alpha\nbeta\ngam" }, { chunks: ["al", "pha\nbe", "ta\ng", "am"] });
    const lines: string[] = [];
    await createExec({ driver, sandboxId })("x", { onOutput: (line) => lines.push(line) });
    expect(lines).toEqual(["alpha", "beta", "gam"]);
  });

  it("feeds onOutput from the final output when the driver does not stream", async () => {
    answer({ exitCode: 3, output: "one\ntwo\n" });
    const lines: string[] = [];
    await createExec({ driver, sandboxId })("x", { onOutput: (line) => lines.push(line) });
    expect(lines).toEqual(["one", "two"]);
  });

  it("answers Aborted for a signal that already fired, without a driver call", async () => {
    const requests = answer({ exitCode: 0, output: "" });
    const controller = new AbortController();
    controller.abort();
    const error = (
      await createExec({ driver, sandboxId })("true", { signal: controller.signal })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("Aborted");
    expect(requests).toHaveLength(0);
  });

  it("answers Aborted when the signal fires mid-command and aborts the driver call", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const result = await createExec({ driver, sandboxId })("sleep 10", { signal: controller.signal });
    expect(result._unsafeUnwrapErr().kind).toBe("Aborted");
  });

  it("maps a throwing driver to Unexpected", async () => {
    vi.spyOn(driver, "exec").mockImplementation(() => {
      throw new Error("bug");
    });
    expect((await createExec({ driver, sandboxId })("true"))._unsafeUnwrapErr().kind).toBe("Unexpected");
  });

  it("runs real commands on the memory driver: cwd, env and exit codes", async () => {
    const exec = createExec({ driver, sandboxId });
    expect((await exec("pwd", { cwd: "/tmp" }))._unsafeUnwrap().output).toBe("/tmp\n");
    expect((await exec('echo "$GREETING"', { env: { GREETING: "hej" } }))._unsafeUnwrap().output).toBe(
      "hej\n",
    );
    expect((await exec("echo out; echo err >&2; exit 4"))._unsafeUnwrapErr()).toMatchObject({
      exitCode: 4,
      output: "out\nerr\n",
    });
    expect((await exec("sleep 1", { timeoutMs: 20 }))._unsafeUnwrapErr().kind).toBe("Timeout");
  });
});
