/**
 * Whether text survives UTF-8 encoding unchanged: what every command, path and argument must be before it is sent.
 * @module
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` is well-formed UTF-16 (no lone surrogate), so UTF-8 encoding is lossless. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
