/**
 * The mini shell's `printf`, matching dash's (Debian's `/bin/sh`) on what it supports: `%s`, `%d`/`%i`, `%%`, the
 * escapes `\n \t \\`, and the format reused while arguments remain.
 *
 * `%d` converts as dash does (C's `strtoimax` with base 0): leading blanks and a sign are allowed, `0x…` is hex,
 * a leading `0` is octal, `'c` is the character's code. A value that is not a number prints `0`; one with junk
 * after its digits prints the digits; both warn on stderr and make the exit status 1, so a script that feeds
 * `printf %d` garbage fails here as it does in a real sandbox.
 */

/** What `printf` produced: its output, its warnings and its exit status. */
export interface PrintfResult {
  readonly out: string;
  readonly warnings: string[];
  readonly status: number;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** One `%d` argument converted: the printed value and the warning, if any. */
export function convertInteger(arg: string): { value: string; warning?: string } {
  if (arg === "") return { value: "0" };
  if (arg.startsWith("'") || arg.startsWith('"')) {
    return { value: String(arg.codePointAt(1) ?? 0) };
  }
  const match = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(arg);
  if (!match) return { value: "0", warning: `${arg}: expected numeric value` };
  const [whole, sign, digits = "0"] = match;
  const magnitude =
    digits.length > 1 && digits.startsWith("0") && !/^0[xX]/.test(digits)
      ? BigInt(`0o${digits.slice(1)}`)
      : BigInt(digits);
  const value = sign === "-" ? -magnitude : magnitude;
  if (value > INT64_MAX || value < INT64_MIN) {
    const clamped = value > INT64_MAX ? INT64_MAX : INT64_MIN;
    return { value: String(clamped), warning: `${arg}: Numerical result out of range` };
  }
  if (whole.length < arg.length) return { value: String(value), warning: `${arg}: not completely converted` };
  return { value: String(value) };
}

/** Runs `printf FORMAT [ARG…]`. */
export function printf(format: string, args: readonly string[]): PrintfResult {
  const expanded = format.replace(/\\([nt\\])/g, (_m, c: string) =>
    c === "n" ? "\n" : c === "t" ? "\t" : "\\",
  );
  const consumes = /%[sdi]/.test(format);
  const warnings: string[] = [];
  let out = "";
  let index = 0;
  do {
    out += expanded.replace(/%([sdi%])/g, (_m, spec: string) => {
      if (spec === "%") return "%";
      const arg = args[index++];
      if (spec === "s") return arg ?? "";
      const converted = convertInteger(arg ?? "");
      if (converted.warning) warnings.push(converted.warning);
      return converted.value;
    });
  } while (consumes && index < args.length);
  return { out, warnings, status: warnings.length > 0 ? 1 : 0 };
}
