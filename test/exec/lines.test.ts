import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLineSplitter, MAX_LINE_CHARS } from "../../src/exec/lines.js";

function split(chunks: string[]): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.flush();
  return lines;
}

describe("createLineSplitter", () => {
  it("joins chunks cut mid-line into whole lines", () => {
    expect(split(["a\nb", "c\n", "d"])).toEqual(["a", "bc", "d"]);
  });

  it("strips CRLF line endings and keeps empty lines", () => {
    expect(split(["one\r\n\r\ntwo\n"])).toEqual(["one", "", "two"]);
  });

  it("emits nothing for no output and nothing extra for a trailing newline", () => {
    expect(split([])).toEqual([]);
    expect(split(["x\n"])).toEqual(["x"]);
  });

  it("survives a listener that throws", () => {
    const seen: string[] = [];
    const splitter = createLineSplitter((line) => {
      seen.push(line);
      throw new Error("listener bug");
    });
    splitter.push("a\nb\n");
    expect(seen).toEqual(["a", "b"]);
  });

  it("gives the same lines however the output is chunked", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 10 }), (text, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let last = 0;
        for (const point of points) {
          chunks.push(text.slice(last, point));
          last = point;
        }
        chunks.push(text.slice(last));
        expect(split(chunks)).toEqual(split([text]));
      }),
      { numRuns: 300 },
    );
  });

  it("hands out a newline-free stream in pieces of MAX_LINE_CHARS instead of holding it whole", () => {
    const seen: number[] = [];
    const splitter = createLineSplitter((line) => seen.push(line.length));
    const piece = "x".repeat(300 * 1024);
    for (let i = 0; i < 10; i++) splitter.push(piece);
    splitter.push("\n");
    splitter.flush();
    expect(seen).toEqual([MAX_LINE_CHARS, MAX_LINE_CHARS, 10 * 300 * 1024 - 2 * MAX_LINE_CHARS]);
  });
});
