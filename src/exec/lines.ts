/**
 * Turns output chunks (cut anywhere, even mid-line) into whole lines.
 * @module
 */

/** Feeds chunks in, calls `onLine` once per complete line (without its `\n` or `\r\n`). */
export interface LineSplitter {
  /** Adds a chunk; emits every line it completes. */
  push(chunk: string): void;
  /** Emits the last line if it had no trailing newline. Call once, at the end. */
  flush(): void;
  /** Whether any chunk was pushed. */
  readonly received: boolean;
}

/** A line longer than this many characters is handed out in pieces, so a newline-free stream stays bounded. */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Creates a {@link LineSplitter}. A throw from `onLine` is swallowed so a buggy listener cannot break the command.
 * A line longer than {@link MAX_LINE_CHARS} is emitted in pieces of that size.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const splitter = createLineSplitter((line) => lines.push(line));
 * splitter.push("a\nb"); splitter.push("c\n"); splitter.push("d"); splitter.flush();
 * // lines: ["a", "bc", "d"]
 * ```
 */
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  let pending = "";
  let received = false;
  const emit = (line: string) => {
    try {
      onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    } catch {
      // The listener's bug is not the command's failure.
    }
  };
  return {
    push(chunk) {
      if (chunk.length === 0) return;
      received = true;
      pending += chunk;
      let from = 0;
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        emit(pending.slice(from, newline));
        from = newline + 1;
        newline = pending.indexOf("\n", from);
      }
      if (from > 0) pending = pending.slice(from);
      while (pending.length >= MAX_LINE_CHARS) {
        emit(pending.slice(0, MAX_LINE_CHARS));
        pending = pending.slice(MAX_LINE_CHARS);
      }
    },
    flush() {
      if (pending.length > 0) emit(pending);
      pending = "";
    },
    get received() {
      return received;
    },
  };
}
