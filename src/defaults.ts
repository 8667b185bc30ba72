/**
 * Defaults that more than one layer relies on, named once. A leaf: it imports nothing.
 * @module
 */

/**
 * The directory a sandbox's work lives in: the fs facade's root, the working directory of commands that name none
 * (on every driver), and where interrupted writes are swept.
 */
export const SANDBOX_WORKDIR = "/workspace";

/** The deadline of a command whose call names none, in milliseconds (the daemon has no deadline of its own). */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
