/**
 * The host-side helper processes of a sandbox's network (its user-mode egress and its preview forwarders) and
 * their record, `sandboxes/<id>/net/net.json`.
 *
 * Crash-consistent by construction: the `net/` directory exists before any helper starts, and every helper runs with
 * it as its working directory. A caller killed between spawning a helper and recording its pid still leaves nothing
 * that {@link killNetHelpers} cannot find: it kills the recorded processes (pid + start time, like the init) and
 * every process whose working directory is that folder.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, readlink, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { processStartTime } from "./host.js";
import type { SandboxPaths } from "./layout.js";

/** A helper process as the host sees it: pid and start time (tells a live helper from a recycled pid). */
export interface NetProcess {
  readonly pid: number;
  readonly startTime: string;
}

/** One preview forwarder: `127.0.0.1:<hostPort>` on the host → `127.0.0.1:<port>` inside the sandbox. */
export interface ForwardRecord {
  readonly port: number;
  readonly hostPort: number;
  /** Absent while stopped (the port pair is kept so `start` restores the same URL when it can). */
  readonly process?: NetProcess;
}

/** What `net/net.json` holds. */
export interface NetRecord {
  readonly version: 1;
  readonly egress?: NetProcess;
  readonly forwards: readonly ForwardRecord[];
}

/** Files of the sandbox's network, all under `net/`. */
export interface NetPaths {
  /** The helpers' working directory (their marker). */
  readonly dir: string;
  /** The sandbox's network namespace, bind-mounted here so helpers never depend on the init's pid. */
  readonly ns: string;
  readonly record: string;
  readonly egressLog: string;
}

/** The network files of a sandbox. */
export function netPaths(paths: SandboxPaths): NetPaths {
  const dir = join(paths.dir, "net");
  return {
    dir,
    ns: join(dir, "ns"),
    record: join(dir, "net.json"),
    egressLog: join(dir, "egress.log"),
  };
}

/** The fixed environment of helper processes: nothing of the caller's reaches them. */
export const HELPER_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  LANG: "C.UTF-8",
};

/** Reads the record; an empty one when there is none. */
export async function readNetRecord(net: NetPaths): Promise<NetRecord> {
  const text = await readFile(net.record, "utf8").catch(() => undefined);
  if (text !== undefined) {
    try {
      const parsed = JSON.parse(text) as NetRecord;
      if (parsed.version === 1 && Array.isArray(parsed.forwards)) return parsed;
    } catch {
      // a torn record cannot happen (atomic writes); an unreadable one is treated as empty
    }
  }
  return { version: 1, forwards: [] };
}

/** Writes the record atomically (temp file + rename). */
export async function writeNetRecord(net: NetPaths, record: NetRecord): Promise<void> {
  await mkdir(net.dir, { recursive: true });
  const temp = `${net.record}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temp, net.record);
}

/** Whether a recorded helper still runs. */
export async function helperAlive(helper: NetProcess | undefined): Promise<boolean> {
  if (!helper) return false;
  return (await processStartTime(helper.pid)) === helper.startTime;
}

/**
 * Spawns a helper detached (its own session and process group, so it outlives the caller and one signal ends it
 * with the children it forks), in `net.dir`, with {@link HELPER_ENV}.
 */
export function spawnHelper(
  net: NetPaths,
  command: string,
  args: readonly string[],
  stdio: ("ignore" | "pipe" | number)[],
): ChildProcess {
  return spawn(command, args, { detached: true, cwd: net.dir, env: { ...HELPER_ENV }, stdio });
}

/** Records a just-spawned helper; throws when it is already gone. */
export async function describeHelper(child: ChildProcess): Promise<NetProcess> {
  const pid = child.pid;
  const startTime = pid === undefined ? undefined : await processStartTime(pid);
  if (pid === undefined || startTime === undefined) throw new Error("network helper exited at once");
  return { pid, startTime };
}

/** Pids whose working directory is `dir` (also when the directory was deleted under them). */
async function pidsWorkingIn(dir: string): Promise<number[]> {
  const names = await readdir("/proc").catch(() => [] as string[]);
  const found: number[] = [];
  await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const cwd = await readlink(`/proc/${name}/cwd`).catch(() => undefined);
        if (cwd === dir || cwd === `${dir} (deleted)`) found.push(Number(name));
      }),
  );
  return found;
}

/**
 * Kills the helpers of this sandbox that were started to listen on `hostPort` (found by working directory and
 * command line, recorded or not), with their process groups.
 */
export async function killHelpersListening(net: NetPaths, hostPort: number): Promise<void> {
  const listen = `TCP-LISTEN:${hostPort},`;
  const killed: number[] = [];
  for (const pid of await pidsWorkingIn(net.dir)) {
    const args = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0");
    if (!args.some((arg) => arg.startsWith(listen))) continue;
    kill(-pid);
    kill(pid);
    killed.push(pid);
  }
  // Wait until they are gone (a dead process has no working directory), so the port is free for the next listener.
  for (let waited = 0; killed.length > 0 && waited < 2_000; waited += 10) {
    const left = await pidsWorkingIn(net.dir);
    if (!killed.some((pid) => left.includes(pid))) return;
    await sleep(10);
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Kills every helper of the sandbox: the recorded ones (with their process groups, which hold the connections a
 * forwarder is serving) and any other process working in `net/`. Waits until they are gone (at most ~5 s).
 * @returns the pids that were still there after the wait (normally none)
 */
export async function killNetHelpers(net: NetPaths, record: NetRecord): Promise<number[]> {
  const recorded = [record.egress, ...record.forwards.map((forward) => forward.process)];
  for (const helper of recorded) {
    if (helper && (await helperAlive(helper))) {
      kill(-helper.pid);
      kill(helper.pid);
    }
  }
  for (let waited = 0; ; waited += 25) {
    const left = await pidsWorkingIn(net.dir);
    if (left.length === 0 || waited >= 5_000) return left;
    for (const pid of left) kill(pid);
    await sleep(25);
  }
}
