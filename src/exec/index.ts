/**
 * The exec facade (shell quoting lives in `src/shell`).
 * @module
 */
export { createExec, type ExecContext } from "./exec.js";
export { createLineSplitter, type LineSplitter } from "./lines.js";
export type { Exec, ExecOptions, ExecResult } from "./types.js";
