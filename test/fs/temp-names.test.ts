import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTempName } from "../../src/driver/temp-names.js";
import { cutToBytes, NAME_MAX_BYTES, tempSibling } from "../../src/fs/temp-names.js";

const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("temp names", () => {
  it("never exceed 255 bytes for legal names of 239–255 bytes, ASCII or multi-byte", () => {
    for (let length = 239; length <= NAME_MAX_BYTES; length++) {
      const ascii = "a".repeat(length);
      const wide = "€".repeat(Math.floor(length / 3)) + "b".repeat(length % 3);
      for (const name of [ascii, wide]) {
        expect(bytes(name)).toBe(length);
        for (const role of ["tmp", "parts"] as const) {
          const temp = nameOf(tempSibling(`/workspace/dir/${name}`, role));
          expect(bytes(temp)).toBeLessThanOrEqual(NAME_MAX_BYTES);
          expect(parseTempName(temp)).toEqual({ pid: process.pid });
        }
      }
    }
  });

  it("stay under NAME_MAX for any name and pid, and are recognized with their owner", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 255 }),
        fc.integer({ min: 1, max: 4_194_304 }),
        (name, pid) => {
          const clean = name.replaceAll("/", "_");
          const temp = nameOf(tempSibling(`/w/${clean}`, "parts", pid));
          expect(bytes(temp)).toBeLessThanOrEqual(NAME_MAX_BYTES);
          expect(parseTempName(temp)).toEqual({ pid });
        },
      ),
    );
  });

  it("recognizes older owner-less names and nothing that is not a temp name", () => {
    expect(parseTempName(".kit-tmp-1f0c9a2b7d4e-app.json")).toEqual({});
    expect(parseTempName(".kit-parts-123456789012-big.bin")).toEqual({});
    for (const other of ["app.json", ".kit-notes", ".kit-tmp-x-y", "kit-tmp-1-1f0c9a2b7d4e-a"]) {
      expect(parseTempName(other)).toBeUndefined();
    }
  });

  it("cuts names on character boundaries", () => {
    expect(cutToBytes("héllo", 2)).toBe("h");
    expect(cutToBytes("héllo", 3)).toBe("hé");
    expect(cutToBytes("😀😀", 7)).toBe("😀");
  });
});
