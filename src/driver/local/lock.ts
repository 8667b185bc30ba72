/**
 * A cross-process lock file. Whoever links their token file to the lock path wins, everybody else waits. A lock
 * whose holder died is taken over, so an interrupted build or a SIGKILLed caller never blocks the next one.
 *
 * The lock file appears complete or not at all (`link()` of a file already holding the owner's token), so a process
 * killed at any moment never leaves an empty lock that no one can judge. The token names the process by pid AND
 * start time, so a recycled pid does not keep a dead holder's lock alive.
 * @module
 */
import { randomUUID } from "node:crypto";
import { link, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pidExists, processStartTime } from "./host.js";

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Aborts the wait for the lock. */
  readonly signal?: AbortSignal | undefined;
  /** Called once when the lock is busy and this process starts waiting. */
  readonly onWait?: (holderPid: number) => void;
  /** How often to try again, in milliseconds. @default 200 */
  readonly pollMs?: number;
}

/** A lock file without a readable owner (written by 0.1, which could be killed between create and write). */
const OWNERLESS_STALE_MS = 10_000;

/**
 * Runs `task` while holding the lock file at `path`; releases it afterwards, also on failure.
 * Rejects only when `signal` aborts the wait (with the signal's reason).
 */
export async function withFileLock<T>(
  path: string,
  task: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const token = await acquire(path, options);
  try {
    return await task();
  } finally {
    // Only our own lock: were ours ever taken over (we were judged dead), the new holder's stays.
    if ((await readFile(path, "utf8").catch(() => undefined)) === token) await rm(path, { force: true });
  }
}

async function acquire(path: string, options: FileLockOptions): Promise<string> {
  await sweepLeftovers(path);
  const token = `${process.pid} ${(await processStartTime(process.pid)) ?? ""} ${randomUUID()}`;
  const staged = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(staged, token);
  try {
    let warned = false;
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        await link(staged, path);
        return token;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A holder removing the whole folder (a sandbox's delete) took our staged file with it: stage again, which
        // fails as before when the folder itself is gone.
        if (code === "ENOENT") {
          await writeFile(staged, token);
          continue;
        }
        if (code !== "EEXIST") throw error;
      }
      const held = await readFile(path, "utf8").catch(() => undefined);
      if (held === undefined) continue; // released in between
      const holder = await judgeHolder(path, held);
      if (holder === "dead") {
        await takeOver(path, held);
        continue;
      }
      if (!warned && holder !== "unknown") {
        warned = true;
        options.onWait?.(holder);
      }
      await sleep(options.pollMs ?? 200, undefined, { signal: options.signal });
    }
  } finally {
    await rm(staged, { force: true });
  }
}

/** The holder's pid while it runs, `"dead"` once it is gone, `"unknown"` for a young lock without an owner. */
async function judgeHolder(path: string, content: string): Promise<number | "dead" | "unknown"> {
  const [pidText = "", startTime = ""] = content.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) {
    const age = await stat(path).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    return age > OWNERLESS_STALE_MS ? "dead" : "unknown";
  }
  if (!pidExists(pid)) return "dead";
  // Tokens of 0.1 hold the pid alone; a start time that differs means the pid was reused.
  if (startTime !== "" && (await processStartTime(pid)) !== startTime) return "dead";
  return pid;
}

/**
 * Removes a dead holder's lock. Two waiters may judge the same lock dead: each renames it away first and removes it
 * only when it still holds the dead content; a fresh lock moved by mistake is linked back (unless a third process
 * took the free path in between, which needs three processes in the same microseconds).
 */
async function takeOver(path: string, deadContent: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else moved it already
  }
  const moved = await readFile(aside, "utf8").catch(() => undefined);
  if (moved !== deadContent) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

/** Staged token files and set-aside locks of processes killed between making and removing them (one `readdir`). */
async function sweepLeftovers(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(?:stale\.)?(\d+)\.[0-9a-f-]{36}(?:\.tmp)?$/.exec(name.slice(prefix.length));
    if (match && !pidExists(Number(match[1]))) await rm(join(dirname(path), name), { force: true });
  }
}
