import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import {
  createDriverSessions,
  type DriverSessions,
  SESSIONS_ROOT,
  type SessionCommandView,
} from "../../../src/testing/backend/driver-sessions.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "../../driver/local/helpers.js";

/** Polls `read` until `done` holds (no wall-clock assertion: the bound only ends a hung test). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await read();
    if (done(value) || i >= 1_200) return value;
    await sleep(100);
  }
}

describe.skipIf(skipReason !== undefined)("Daytona sessions emulated on a local sandbox", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-sessions-"));
  const driver = createLocalDriver({ home });
  const sessions: DriverSessions = createDriverSessions(driver);
  let id = "";

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
    const created = await driver.create({ timeoutMs: 60_000 });
    if (created.isErr()) throw new Error(created.error.message);
    id = created.value.id;
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    if (id) await driver.delete(id, { timeoutMs: 60_000 });
    await driver.dispose();
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  const run = async (session: string, command: string) => {
    const result = (await sessions.execute(id, session, { command }))._unsafeUnwrap();
    if (result.async) throw new Error("expected a synchronous result");
    return result;
  };
  const sh = async (command: string) =>
    (await driver.exec(id, { command, timeoutMs: 60_000 }))._unsafeUnwrap().output;

  it("carries cd and export over from one command to the next, with real output and exit codes", async () => {
    (await sessions.create(id, "carry"))._unsafeUnwrap();
    expect(await run("carry", "export FOO=BAR")).toMatchObject({ exitCode: 0, output: "" });
    expect(await run("carry", "echo $FOO")).toMatchObject({ exitCode: 0, output: "BAR\n", stdout: "BAR\n" });
    await run("carry", "mkdir -p /tmp/carry-dir && cd /tmp/carry-dir");
    expect((await run("carry", "pwd")).output).toBe("/tmp/carry-dir\n");
    expect(await run("carry", "echo oops >&2; false")).toMatchObject({ exitCode: 1, output: "oops\n" });
  });

  it("runs multi-line commands with heredocs and quotes, and saves the state even on exit N", async () => {
    (await sessions.create(id, "script"))._unsafeUnwrap();
    const script = [
      "cat > /tmp/heredoc.txt <<'EOF'",
      'it\'s "quoted" $NOT_EXPANDED',
      "EOF",
      "export LAST='a b'",
      "cd /etc",
      "exit 3",
    ].join("\n");
    expect((await run("script", script)).exitCode).toBe(3);
    expect(await run("script", 'cat /tmp/heredoc.txt; echo "$LAST"; pwd')).toMatchObject({
      exitCode: 0,
      output: 'it\'s "quoted" $NOT_EXPANDED\na b\n/etc\n',
    });
  });

  it("does not carry shell functions over (documented) and keeps sessions apart", async () => {
    (await sessions.create(id, "fn"))._unsafeUnwrap();
    (await sessions.create(id, "other"))._unsafeUnwrap();
    await run("fn", "greet() { echo hi; }; export ONLY_FN=1");
    expect((await run("fn", "greet")).exitCode).toBe(127);
    expect((await run("other", 'echo "[$ONLY_FN]"')).output).toBe("[]\n");
  });

  it("reports a session's commands in order, and lists sessions by their ids", async () => {
    (await sessions.create(id, "listed one"))._unsafeUnwrap();
    const a = await run("listed one", "echo a");
    const b = await run("listed one", "exit 5");
    const view = (await sessions.get(id, "listed one"))._unsafeUnwrap();
    expect(view).toEqual({
      sessionId: "listed one",
      commands: [
        { id: a.cmdId, command: "echo a", exitCode: 0 },
        { id: b.cmdId, command: "exit 5", exitCode: 5 },
      ],
    });
    const ids = (await sessions.list(id))._unsafeUnwrap().map((s) => s.sessionId);
    expect(ids).toEqual(expect.arrayContaining(["listed one", "carry", "script"]));
    expect((await sessions.command(id, "listed one", b.cmdId))._unsafeUnwrap()).toEqual({
      id: b.cmdId,
      command: "exit 5",
      exitCode: 5,
    });
    expect((await sessions.logs(id, "listed one", a.cmdId))._unsafeUnwrap()).toEqual({
      output: "a\n",
      stdout: "a\n",
      stderr: "",
    });
  });

  it("runs an async command in the background: no exit code while it runs, then its code and logs", async () => {
    (await sessions.create(id, "bg"))._unsafeUnwrap();
    await run("bg", "export GREETING=hello; cd /tmp");
    const started = (
      await sessions.execute(id, "bg", {
        command:
          'echo "$GREETING from $(pwd)"; while [ ! -f /tmp/bg-go ]; do sleep 0.05; done; echo released; exit 4',
        runAsync: true,
      })
    )._unsafeUnwrap();
    expect(started.async).toBe(true);
    const logs = await until(
      async () => (await sessions.logs(id, "bg", started.cmdId))._unsafeUnwrap().output,
      (output) => output.includes("from"),
    );
    expect(logs).toBe("hello from /tmp\n");
    const running: SessionCommandView = (await sessions.command(id, "bg", started.cmdId))._unsafeUnwrap();
    expect(running.exitCode).toBeUndefined();
    await sh("touch /tmp/bg-go");
    const ended = await until(
      async () => (await sessions.command(id, "bg", started.cmdId))._unsafeUnwrap(),
      (view) => view.exitCode !== undefined,
    );
    expect(ended.exitCode).toBe(4);
    expect((await sessions.logs(id, "bg", started.cmdId))._unsafeUnwrap().output).toBe(
      "hello from /tmp\nreleased\n",
    );
  }, 240_000);

  it("answers NotFound for an unknown session or command and Conflict for a duplicate", async () => {
    (await sessions.create(id, "dup"))._unsafeUnwrap();
    expect((await sessions.create(id, "dup"))._unsafeUnwrapErr().kind).toBe("Conflict");
    const unknown = (await sessions.execute(id, "nope", { command: "echo" }))._unsafeUnwrapErr();
    expect(unknown).toMatchObject({ kind: "NotFound", resource: "session", id: "nope" });
    expect((await sessions.get(id, "nope"))._unsafeUnwrapErr()).toMatchObject({ resource: "session" });
    expect((await sessions.delete(id, "nope"))._unsafeUnwrapErr()).toMatchObject({ resource: "session" });
    for (const bad of ["00000000-0000-4000-8000-000000000000", "../dup", "..", ""]) {
      expect((await sessions.logs(id, "dup", bad))._unsafeUnwrapErr()).toMatchObject({
        kind: "NotFound",
        resource: "command",
      });
    }
    expect((await sessions.list("no-such-sandbox"))._unsafeUnwrapErr()).toMatchObject({
      kind: "NotFound",
      resource: "sandbox",
    });
  });

  it("delete ends the session's running async commands and removes its files", async () => {
    (await sessions.create(id, "doomed"))._unsafeUnwrap();
    (
      await sessions.execute(id, "doomed", { command: "sleep 617; touch /tmp/never", runAsync: true })
    )._unsafeUnwrap();
    const count =
      "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f 2>/dev/null; echo; done | grep -c '^sleep 617 '";
    expect(
      Number(
        await until(
          () => sh(count),
          (n) => Number(n) > 0,
        ),
      ),
    ).toBeGreaterThan(0);
    (await sessions.delete(id, "doomed"))._unsafeUnwrap();
    expect(
      Number(
        await until(
          () => sh(count),
          (n) => Number(n) === 0,
        ),
      ),
    ).toBe(0);
    expect((await sessions.get(id, "doomed"))._unsafeUnwrapErr()).toMatchObject({ resource: "session" });
    expect((await sessions.list(id))._unsafeUnwrap().map((s) => s.sessionId)).not.toContain("doomed");
    expect(await sh(`cat ${SESSIONS_ROOT}/*/session-id 2>/dev/null; echo`)).not.toContain("doomed");
  }, 240_000);

  it("keeps only the tail of a long output and kills a command past its timeout", async () => {
    const capped = createDriverSessions(driver, { maxOutputBytes: 1_000 });
    (await capped.create(id, "capped"))._unsafeUnwrap();
    const long = (await capped.execute(id, "capped", { command: "seq 1 2000; echo END" }))._unsafeUnwrap();
    expect(long.async === false && long.output.length).toBe(1_000);
    expect(long.async === false && long.output.endsWith("1999\n2000\nEND\n")).toBe(true);
    // A separate instance: under heavy load even `seq` may take longer than this short deadline.
    const timed = createDriverSessions(driver, { timeoutMs: 1_500 });
    const slow = (await timed.execute(id, "capped", { command: "sleep 600" }))._unsafeUnwrapErr();
    expect(slow.kind).toBe("Timeout");
  });
});
