/**
 * The names of the hidden temporary files the kit writes (`.kit-tmp-…`, `.kit-parts-…`): made by the fs facade's
 * atomic and chunked writes (`fs/temp-names.ts`), recognized by a driver that sweeps an interrupted writer's
 * leftovers (the local driver's gc). The convention sits at the port so both sides can import it.
 * @module
 */

/** Marks every temporary name this library creates. */
export const TEMP_PREFIX = ".kit-";

/** What a temp name says about its writer. */
export interface TempNameOwner {
  /** The writing process's pid, when the name records one (names written before it did carry none). */
  readonly pid?: number;
}

/**
 * Recognizes a temp name of this library (`.kit-tmp-…`, `.kit-parts-…`); `undefined` for any other name.
 * @example
 * ```ts
 * parseTempName(".kit-parts-4242-1f0c9a2b7d4e-big.bin") // => { pid: 4242 }
 * parseTempName(".kit-tmp-1f0c9a2b7d4e-old.json")      // => {} (an older name: no owner)
 * ```
 */
export function parseTempName(name: string): TempNameOwner | undefined {
  const owned = /^\.kit-(?:tmp|parts)-(\d{1,10})-[0-9a-f]{12}-/.exec(name);
  if (owned) return { pid: Number(owned[1]) };
  if (/^\.kit-(?:tmp|parts)-[0-9a-f]{12}-/.test(name)) return {};
  return undefined;
}
