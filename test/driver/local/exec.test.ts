import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, IMAGE_BUILD_MS, skipReason, testDriver } from "./helpers.js";

const PORT = 18_432;

describe.skipIf(skipReason !== undefined)("local driver exec (real sandboxes)", () => {
  const { driver, labels } = testDriver("exec");
  let id = "";

  beforeAll(async () => {
    const created = await driver.create({
      labels,
      envVars: { SANDBOX_WIDE: "from-create" },
      resources: { memoryGiB: 0.25 },
      timeoutMs: 30_000,
    });
    if (created.isErr()) throw new Error(created.error.message);
    id = created.value.id;
  }, IMAGE_BUILD_MS);
  afterAll(() => cleanup(driver, labels), 60_000);

  const run = (
    command: string,
    extra: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
  ) => driver.exec(id, { command, timeoutMs: 20_000, ...extra });

  it("merges stdout and stderr in order into one output, like Daytona", async () => {
    const result = await run("echo one; echo two >&2; echo three");
    expect(result._unsafeUnwrap()).toEqual({ exitCode: 0, output: "one\ntwo\nthree\n", oomKilled: false });
  });

  it("returns non-zero exit codes as data, and signal deaths as 128+n", async () => {
    expect((await run("exit 42"))._unsafeUnwrap().exitCode).toBe(42);
    expect((await run("kill -TERM $$"))._unsafeUnwrap().exitCode).toBe(143);
    expect((await run("no-such-command-here"))._unsafeUnwrap()).toMatchObject({ exitCode: 127 });
  });

  it("runs in /workspace by default, in cwd when given, with sandbox and request env", async () => {
    expect((await run("pwd"))._unsafeUnwrap().output).toBe("/workspace\n");
    expect((await run("pwd", { cwd: "/tmp" }))._unsafeUnwrap().output).toBe("/tmp\n");
    const env = await run('echo "$SANDBOX_WIDE $PER_CALL $HOME"', { env: { PER_CALL: "it's here" } });
    expect(env._unsafeUnwrap().output).toBe("from-create it's here /root\n");
    const missing = await run("pwd", { cwd: "/no/such/dir" });
    expect(missing._unsafeUnwrap().exitCode).not.toBe(0);
  });

  it("refuses invalid env names before running anything", async () => {
    const result = await run("true", { env: { "BAD-NAME": "x" } });
    expect(result.isErr() && result.error.kind).toBe("InvalidArgument");
  });

  it("kills a command at its deadline and answers Timeout quickly", async () => {
    const started = Date.now();
    const result = await run("sleep 100", { timeoutMs: 300 });
    expect(result.isErr() && result.error).toMatchObject({
      kind: "Timeout",
      operation: "exec",
      afterMs: 300,
    });
    // `sleep 100` would hold the call 100 s; the bound is wide for a loaded machine.
    expect(Date.now() - started).toBeLessThan(20_000);
    // The sleep is gone, not orphaned.
    const left = await run("for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done");
    expect(left._unsafeUnwrap().output).not.toContain("sleep 100");
  });

  it("aborts on the caller's signal with Aborted and kills the command", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await driver.exec(id, {
      command: "sleep 101",
      timeoutMs: 20_000,
      signal: controller.signal,
    });
    expect(result.isErr() && result.error.kind).toBe("Aborted");
    const left = await run("for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done");
    expect(left._unsafeUnwrap().output).not.toContain("sleep 101");
  });

  it("streams output chunks through onOutput while the command runs", async () => {
    const chunks: string[] = [];
    const result = await driver.exec(id, {
      command: "echo first; sleep 0.4; echo second",
      timeoutMs: 10_000,
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(result._unsafeUnwrap().output).toBe("first\nsecond\n");
    expect(chunks.join("")).toBe("first\nsecond\n");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
  });

  it("returns at once from a bare background command that keeps the output open, and it keeps running", async () => {
    const result = await run("echo before; (sleep 30; echo late) & echo after");
    expect(result._unsafeUnwrap()).toEqual({ exitCode: 0, output: "before\nafter\n", oomKilled: false });
    const still = await run("for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done");
    expect(still._unsafeUnwrap().output).toContain("sleep 30");
  });

  it("keeps a bare `server &` serving after exec returns", async () => {
    const started = await run(`python3 -m http.server ${PORT} --bind 127.0.0.1 &`);
    expect(started._unsafeUnwrap().exitCode).toBe(0);
    // The sandbox has its own loopback: the host reaches the server through its preview forwarder.
    const url = (await driver.previewLink(id, PORT))._unsafeUnwrap().url;
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await fetch(url).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    // It logs every request to the (now unread) output: it must not die of a broken pipe.
    await fetch(url);
    expect((await fetch(url)).status).toBe(200);
  });

  it("OOM-kills a command allocating past the 256 MiB limit with exit 137", async () => {
    const result = await run('python3 -c "b = bytearray(600 * 1024 * 1024); print(len(b))"', {
      timeoutMs: 30_000,
    });
    expect(result._unsafeUnwrap()).toMatchObject({ exitCode: 137, oomKilled: true });
    const fits = await run('python3 -c "b = bytearray(100 * 1024 * 1024); print(len(b))"');
    expect(fits._unsafeUnwrap()).toEqual({ exitCode: 0, output: `${100 * 1024 * 1024}\n`, oomKilled: false });
  });

  it("reports exec on a missing sandbox as NotFound", async () => {
    const result = await driver.exec("lsb-000000000000", { command: "true", timeoutMs: 1_000 });
    expect(result.isErr() && result.error.kind).toBe("NotFound");
  });
});
