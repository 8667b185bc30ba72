import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkShellText, quoteArgs, shellQuote } from "../../src/shell/quote.js";

/**
 * Runs ONE `sh` for many quoted strings: `printf '%s\0' <q1> <q2> …` prints every argument the shell received,
 * each followed by NUL (the values contain none), so both the count and each value's bytes can be checked.
 */
function throughShell(values: readonly string[]): string[] {
  const script = `printf '%s\\0' ${values.map(shellQuote).join(" ")}`;
  const output = execFileSync("sh", ["-c", script], { maxBuffer: 64 * 1024 * 1024 });
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < output.length; i++) {
    if (output[i] === 0) {
      parts.push(output.subarray(start, i).toString("hex"));
      start = i + 1;
    }
  }
  return parts;
}

const hex = (value: string) => Buffer.from(value, "utf8").toString("hex");

describe("shellQuote", () => {
  it("leaves plain words readable and quotes everything else", () => {
    expect(shellQuote("ls")).toBe("ls");
    expect(shellQuote("/workspace/a-b_c.txt")).toBe("/workspace/a-b_c.txt");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("it's here")).toBe("'it'\\''s here'");
    expect(shellQuote("$(rm -rf /)")).toBe("'$(rm -rf /)'");
  });

  it("throws a TypeError for a NUL byte (callers validate with checkShellText first)", () => {
    expect(() => shellQuote("a\0b")).toThrow(TypeError);
  });

  it("makes any NUL-free string reach sh as one literal argument (1,000 random strings, one sh)", () => {
    const samples = fc.sample(
      fc
        .oneof(
          fc.string({ unit: "binary", maxLength: 40 }),
          fc.string({ unit: "grapheme", maxLength: 20 }),
          fc.constantFrom(
            "'",
            "''",
            "\\",
            '"',
            "$HOME",
            "`id`",
            "$(id)",
            "a b",
            "*",
            "~",
            "-n",
            "\n",
            "!x",
            "%s",
          ),
        )
        .filter((s) => !s.includes("\0")),
      { numRuns: 1_000, seed: 20_260_101 },
    );
    // Lone surrogates cannot be encoded as UTF-8 at all; the shell never sees them intact, so compare well-formed text.
    const values = samples.map((s) => Buffer.from(s, "utf8").toString("utf8"));
    const out = throughShell(values);
    expect(out).toHaveLength(values.length);
    values.forEach((value, i) => {
      expect(out[i], JSON.stringify(value)).toBe(hex(value));
    });
  });

  it("quoteArgs keeps each argument separate", () => {
    const args = ["printf", "%s|", "a b", "it's", "", "$x"];
    expect(execFileSync("sh", ["-c", quoteArgs(args)], { encoding: "utf8" })).toBe("a b|it's||$x|");
  });
});

describe("checkShellText", () => {
  it("returns the text unchanged when it is safe", () => {
    expect(checkShellText("Ada Lovelace", "name")._unsafeUnwrap()).toBe("Ada Lovelace");
  });

  it("refuses a NUL byte, naming the argument", () => {
    expect(checkShellText("a\0b", "user.name")._unsafeUnwrapErr()).toMatchObject({
      kind: "InvalidArgument",
      argument: "user.name",
    });
  });

  it("refuses line breaks unless allowed", () => {
    expect(checkShellText("a\nb", "message").isErr()).toBe(true);
    expect(checkShellText("a\rb", "message").isErr()).toBe(true);
    expect(checkShellText("a\nb", "message", { allowNewlines: true })._unsafeUnwrap()).toBe("a\nb");
    expect(checkShellText("a\0b", "message", { allowNewlines: true }).isErr()).toBe(true);
  });
});
