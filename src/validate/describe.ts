/**
 * A short, never-throwing description of any value for error messages (`null`, `a number (NaN)`, `"abc…"`).
 * @module
 */

/**
 * Describes `value` for a message. Never throws, whatever the value is (a BigInt, a symbol, an object without a
 * prototype, a proxy), and never prints more than ~60 characters of it.
 */
export function describeValue(value: unknown): string {
  try {
    if (value === null) return "null";
    if (value === undefined) return "undefined";
    if (typeof value === "string") {
      const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return `the string ${JSON.stringify(shown)}`;
    }
    if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
    if (typeof value === "bigint") return `bigint ${value.toString()}n`;
    if (typeof value === "symbol") return "a symbol";
    if (typeof value === "function") return "a function";
    if (Array.isArray(value)) return `an array of ${value.length}`;
    return "an object";
  } catch {
    return "an unreadable value";
  }
}
