/**
 * A cross-process lock file: `open(path, "wx")` wins, everybody else waits. A lock whose holder died is taken over,
 * so an interrupted build never blocks the next one.
 * @module
 */
import { open, readFile, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { pidExists } from "./host.js";

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Aborts the wait for the lock. */
  readonly signal?: AbortSignal | undefined;
  /** Called once when the lock is busy and this process starts waiting. */
  readonly onWait?: (holderPid: number) => void;
  /** How often to try again, in milliseconds. @default 200 */
  readonly pollMs?: number;
}

/**
 * Runs `task` while holding the lock file at `path`; releases it afterwards, also on failure.
 * Rejects only when `signal` aborts the wait (with the signal's reason).
 */
export async function withFileLock<T>(
  path: string,
  task: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  await acquire(path, options);
  try {
    return await task();
  } finally {
    await rm(path, { force: true });
  }
}

async function acquire(path: string, options: FileLockOptions): Promise<void> {
  let warned = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    // An empty file means the holder is between open and write: give it a moment.
    if (Number.isInteger(holder) && holder > 0 && !pidExists(holder)) {
      await rm(path, { force: true });
      continue;
    }
    if (!warned && Number.isInteger(holder)) {
      warned = true;
      options.onWait?.(holder);
    }
    await sleep(options.pollMs ?? 200, undefined, { signal: options.signal });
  }
}
