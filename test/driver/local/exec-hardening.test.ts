/**
 * The local driver's exec under hostile use: a caller that dies mid-command (the sandbox-side watchdog still
 * enforces the deadline), caller env that must not reach the host launcher, huge commands and env, hundreds of
 * failing calls (no descriptor leaks), and output far larger than what the caller may keep in memory.
 */
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execInSandbox } from "../../../src/driver/local/exec.js";
import { kitHome, sandboxPaths } from "../../../src/driver/local/layout.js";
import { cleanup, IMAGE_BUILD_MS, skipReason, testDriver } from "./helpers.js";

const run = promisify(execFile);
const repo = join(import.meta.dirname, "../../..");
const child = join(import.meta.dirname, "fixtures/exec-child.ts");

/** Host pids whose command line contains `needle`. */
function hostPidsRunning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").includes(needle))
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const openFds = () => readdirSync("/proc/self/fd").length;

describe.skipIf(skipReason !== undefined)("local driver exec, hardened (real sandboxes)", () => {
  const { driver, labels } = testDriver("exec-hardening");
  let id = "";

  beforeAll(async () => {
    const created = await driver.create({ labels, resources: { memoryGiB: 0.25 }, timeoutMs: 30_000 });
    if (created.isErr()) throw new Error(created.error.message);
    id = created.value.id;
  }, IMAGE_BUILD_MS);
  afterAll(() => cleanup(driver, labels), 60_000);

  const exec = (command: string, extra: { env?: Record<string, string>; timeoutMs?: number } = {}) =>
    driver.exec(id, { command, timeoutMs: 30_000, ...extra });

  it("kills a command at its deadline even when the calling process was SIGKILLed", async () => {
    const marker = `300.${randomInt(100_000, 999_999)}`;
    const caller = execFile(process.execPath, ["--import", "tsx", child, "watchdog", id, `sleep ${marker}`], {
      cwd: repo,
    });
    await new Promise<void>((resolve, reject) => {
      caller.stdout?.on("data", (text: string) => text.includes("running") && resolve());
      caller.once("exit", (code) => reject(new Error(`the caller exited early (${code})`)));
    });
    expect(hostPidsRunning(`sleep ${marker}`).length).toBeGreaterThan(0);
    caller.kill("SIGKILL");
    const killedAt = Date.now();
    while (hostPidsRunning(`sleep ${marker}`).length > 0 && Date.now() - killedAt < 10_000) await sleep(100);
    expect(hostPidsRunning(`sleep ${marker}`)).toEqual([]);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(5_000);
  }, 60_000);

  it("applies the caller's env only inside: PATH=/opt/bin runs, LD_PRELOAD never reaches the host launcher", async () => {
    const path = await exec('echo "$PATH"; /bin/echo absolute', { env: { PATH: "/opt/bin" } });
    expect(path._unsafeUnwrap()).toMatchObject({ exitCode: 0, output: "/opt/bin\nabsolute\n" });
    const notFound = await exec("ls /", { env: { PATH: "/opt/bin" } });
    expect(notFound._unsafeUnwrap().exitCode).toBe(127);
    // Were the host's sh, timeout or nsenter started with it, their ld.so would complain into the output.
    const preload = "/nonexistent-dk-preload.so";
    const builtin = await exec('echo "$LD_PRELOAD"', { env: { LD_PRELOAD: preload } });
    expect(builtin._unsafeUnwrap()).toMatchObject({ exitCode: 0, output: `${preload}\n` });
    // Inside, it does apply: a program the sandbox starts gets it (and its ld.so says it cannot load it).
    const inside = await exec("/bin/true", { env: { LD_PRELOAD: preload } });
    expect(inside._unsafeUnwrap().output).toContain(preload);
  });

  it("runs a 1 MiB command and takes 256 KiB of env, neither through argv", async () => {
    const filler = "x".repeat(1024 * 1024);
    const big = await exec(`: '${filler}'; echo "done \${#0}"`);
    expect(big._unsafeUnwrap()).toMatchObject({ exitCode: 0 });
    expect(big._unsafeUnwrap().output).toMatch(/^done \d+\n$/);
    const env: Record<string, string> = {};
    for (let i = 0; i < 64; i++) env[`BIG_${i}`] = `${i}`.padEnd(4096, "y");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    const withEnv = await exec('echo "${#BIG_0} ${#BIG_63}"; /usr/bin/env | grep -c ^BIG_', { env });
    expect(withEnv._unsafeUnwrap()).toMatchObject({ exitCode: 0, output: "4096 4096\n64\n" });
  });

  it("leaks no file descriptor over 200 failing calls of every kind", async () => {
    await exec("true");
    const before = openFds();
    const home = sandboxPaths(kitHome(), id);
    const meta = JSON.parse(readFileSync(home.meta, "utf8")) as { init: { pid: number } };
    const target = { root: home.root, initPid: meta.init.pid, execDir: home.exec, env: {} };
    for (let i = 0; i < 200; i++) {
      const kind = i % 5;
      if (kind === 0) expect((await exec("echo nope; exit 3"))._unsafeUnwrap().exitCode).toBe(3);
      if (kind === 1) {
        const missingCwd = await driver.exec(id, { command: "true", cwd: "/no/such", timeoutMs: 30_000 });
        expect(missingCwd._unsafeUnwrap().exitCode).not.toBe(0);
      }
      if (kind === 2) {
        // An init that is not this sandbox's: refused before anything is opened or spawned.
        const wrong = await execInSandbox(
          { ...target, initPid: 2 ** 22 + 7 },
          { command: "true", timeoutMs: 5_000 },
        );
        expect(wrong._unsafeUnwrapErr().kind).toBe("Conflict");
      }
      if (kind === 3) {
        // A host directory for the output that cannot be created: fails after the checks, before the spawn.
        const unwritable = await execInSandbox(
          { ...target, execDir: "/etc/hostname/no-such-dir" },
          { command: "true", timeoutMs: 5_000 },
        );
        expect(unwritable._unsafeUnwrapErr().kind).toBe("Unexpected");
      }
      if (kind === 4 && i % 20 === 4) {
        expect((await exec("sleep 5", { timeoutMs: 50 }))._unsafeUnwrapErr().kind).toBe("Timeout");
      } else if (kind === 4) {
        expect((await exec("true", { env: { "BAD NAME": "x" } }))._unsafeUnwrapErr().kind).toBe(
          "InvalidArgument",
        );
      }
    }
    expect(openFds()).toBe(before);
  }, 240_000);

  it("returns 600 MB of output as Ok with its tail and truncated: true, all of it streamed, RSS bounded", async () => {
    const bytes = 600_000_000;
    const { stdout } = await run(
      process.execPath,
      ["--expose-gc", "--import", "tsx", child, "rss", id, String(bytes)],
      { cwd: repo, maxBuffer: 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as {
      ok: boolean;
      baseline: number;
      peak: number;
      truncated: boolean;
      outputBytes: number;
      streamed: number;
    };
    expect(report).toMatchObject({
      ok: true,
      truncated: true,
      outputBytes: 10 * 1024 * 1024,
      streamed: bytes,
    });
    expect(report.peak - report.baseline).toBeLessThan(64 * 1024 * 1024);
    console.log(
      `[exec-hardening] 600 MB of output: RSS grew ${((report.peak - report.baseline) / 2 ** 20).toFixed(1)} MiB`,
    );
  }, 600_000);
});
