import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseOomKills } from "../../../src/driver/local/oom-kills.js";
import { OutputTail } from "../../../src/driver/local/output-tail.js";

describe("OutputTail", () => {
  it("keeps exactly the last maxBytes bytes however the stream is chunked", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 30 }),
        fc.nat(60),
        (chunks, max) => {
          const tail = new OutputTail(max);
          for (const chunk of chunks) tail.push(chunk.map((b) => 0x20 + (b % 0x5f)));
          const all = Buffer.concat(chunks.map((c) => Buffer.from(c.map((b) => 0x20 + (b % 0x5f)))));
          const expected = all.subarray(Math.max(0, all.byteLength - max)).toString("latin1");
          expect(tail.text()).toBe(expected);
          expect(tail.truncated).toBe(all.byteLength > max);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("starts on a character boundary and decodes characters split across chunks and the wrap", () => {
    const text = "åäö€😀".repeat(50);
    const bytes = Buffer.from(text);
    for (const max of [1, 7, 33, 100]) {
      const tail = new OutputTail(max);
      for (let i = 0; i < bytes.byteLength; i += 5) tail.push(bytes.subarray(i, i + 5));
      const kept = tail.text();
      expect(text.endsWith(kept)).toBe(true);
      expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(max);
      expect(Buffer.byteLength(kept)).toBeGreaterThan(max - 4);
    }
    const whole = new OutputTail(10_000);
    for (let i = 0; i < bytes.byteLength; i += 3) whole.push(bytes.subarray(i, i + 3));
    expect(whole.text()).toBe(text);
    expect(whole.truncated).toBe(false);
  });
});

describe("parseOomKills", () => {
  it("reads the oom_kill line of v1 memory.oom_control and v2 memory.events, and nothing else", () => {
    expect(parseOomKills("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")).toBe(3);
    expect(parseOomKills("low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n")).toBe(2);
    expect(parseOomKills("oom_kill_disable 0\nunder_oom 1\n")).toBeUndefined();
  });
});
