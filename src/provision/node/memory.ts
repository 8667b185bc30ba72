/**
 * Memory rules for Node work in small sandboxes (a 1 GiB cgroup; Vite needs ~700 MB, pnpm and `next build` are
 * OOM-killed).
 * @module
 */

/** Sandboxes at or below this size (GiB) refuse pnpm and `next build`. */
export const SMALL_SANDBOX_GIB = 1;

/**
 * The V8 old-space limit for builds: 75% of the sandbox memory, leaving room for the OS, npm and native memory.
 * 1 GiB → 768 MiB (measured: Vite builds fit); 2 GiB → 1536; never below 128.
 *
 * @example
 * ```ts
 * maxOldSpaceMiB(1) // => 768
 * ```
 */
export function maxOldSpaceMiB(memoryGiB: number): number {
  return Math.max(128, Math.floor(memoryGiB * 1024 * 0.75));
}

/** True when the sandbox is too small for pnpm / `next build` (≤ 1 GiB). */
export function isSmallSandbox(memoryGiB: number): boolean {
  return memoryGiB <= SMALL_SANDBOX_GIB;
}
