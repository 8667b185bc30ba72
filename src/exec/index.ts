/**
 * The exec facade and shell quoting.
 * @module
 */
export { createExec, type ExecContext } from "./exec.js";
export { createLineSplitter, type LineSplitter } from "./lines.js";
export { checkShellText, quoteArgs, shellQuote } from "./quote.js";
export type { Exec, ExecOptions, ExecResult } from "./types.js";
