/** A Node child process running a TypeScript fixture (through tsx), read line by line. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

export interface LineChild {
  readonly child: ChildProcess;
  /** The next line the child prints (waits for it). */
  line(): Promise<string>;
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;
}

/** Starts `node --import tsx <fixture> ...args` in the repository root; stderr goes to the test's. */
export function startLineChild(fixture: string, args: readonly string[]): LineChild {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffer = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let at = buffer.indexOf("\n"); at >= 0; at = buffer.indexOf("\n")) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    child,
    line: () => {
      const ready = lines.shift();
      return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    exited,
  };
}
