import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PATH_BYTES, resolveUnderRoot, validateRoot } from "../../src/fs/paths.js";

const ROOT = "/workspace";
const resolve = (path: string, allowRoot = false) => resolveUnderRoot(ROOT, path, { allowRoot });
const kindOf = (path: string, allowRoot = false) => {
  const result = resolve(path, allowRoot);
  return result.isOk() ? "ok" : result.error.kind;
};

describe("resolveUnderRoot", () => {
  it("resolves relative paths against the root and normalizes them", () => {
    expect(resolve("a.txt")._unsafeUnwrap()).toBe("/workspace/a.txt");
    expect(resolve("./src//lib/../index.ts")._unsafeUnwrap()).toBe("/workspace/src/index.ts");
    expect(resolve("dir/")._unsafeUnwrap()).toBe("/workspace/dir");
  });

  it("accepts absolute paths under the root", () => {
    expect(resolve("/workspace/a/b")._unsafeUnwrap()).toBe("/workspace/a/b");
  });

  it.each([
    "../../etc/passwd",
    "..",
    "/workspace/../etc",
    "/etc/passwd",
    "/",
    "/workspacefoo/x",
    "a/../../b",
    "/workspace/../workspace/x",
  ])("refuses %j with PathOutsideRoot", (path) => {
    const result = resolve(path);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "PathOutsideRoot", path, root: ROOT });
  });

  it.each(["%2e%2e/%2e%2e/etc/passwd", "..%2fetc", "%2E%2E/x", "%252e%252e/etc", "/workspace/%2e%2e/etc"])(
    "refuses the percent-encoded escape %j with PathOutsideRoot",
    (path) => {
      expect(kindOf(path)).toBe("PathOutsideRoot");
    },
  );

  it("refuses percent-encoded separators that stay inside the root with InvalidArgument", () => {
    expect(kindOf("a%2fb.txt")).toBe("InvalidArgument");
    expect(kindOf("file%2e.txt")).toBe("InvalidArgument");
  });

  it("keeps other percent signs literal", () => {
    expect(resolve("100%.txt")._unsafeUnwrap()).toBe("/workspace/100%.txt");
    expect(resolve("a%20b")._unsafeUnwrap()).toBe("/workspace/a%20b");
  });

  it("refuses empty, blank, NUL and over-long paths with InvalidArgument naming the argument", () => {
    expect(resolve("")._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "path" });
    expect(kindOf("   ")).toBe("InvalidArgument");
    expect(kindOf("a\0b")).toBe("InvalidArgument");
    expect(kindOf(`a/${"x".repeat(MAX_PATH_BYTES)}`)).toBe("InvalidArgument");
    // 4,096 bytes counted as UTF-8, not characters: 1,366 three-byte characters are 4,098 bytes.
    expect(kindOf("€".repeat(1_366))).toBe("InvalidArgument");
    expect(kindOf("€".repeat(1_300))).toBe("ok");
  });

  it("allows the root itself only where asked", () => {
    expect(kindOf(".", false)).toBe("InvalidArgument");
    expect(kindOf("/workspace", false)).toBe("InvalidArgument");
    expect(resolve(".", true)._unsafeUnwrap()).toBe("/workspace");
    expect(resolve("/workspace/", true)._unsafeUnwrap()).toBe("/workspace");
  });

  it("keeps unicode names intact", () => {
    expect(resolve("données/日本語 ✓.txt")._unsafeUnwrap()).toBe("/workspace/données/日本語 ✓.txt");
  });

  it("works under the filesystem root too", () => {
    expect(resolveUnderRoot("/", "etc/hosts")._unsafeUnwrap()).toBe("/etc/hosts");
    // Like the kernel: "/.." is "/", so nothing can leave "/".
    expect(resolveUnderRoot("/", "../x")._unsafeUnwrap()).toBe("/x");
  });

  it("never returns a path outside the root (1,000 random paths)", () => {
    const segment = fc.oneof(
      fc.constantFrom("..", ".", "", "%2e%2e", "%2E", "%2f", "..%2f", "%252e", "\0", "workspace", "etc", "~"),
      fc.string({ unit: "grapheme", maxLength: 8 }),
      fc.string({ maxLength: 6 }),
    );
    const path = fc
      .tuple(fc.boolean(), fc.array(segment, { maxLength: 8 }))
      .map(([absolute, segments]) => (absolute ? "/" : "") + segments.join("/"));
    fc.assert(
      fc.property(path, (input) => {
        const result = resolve(input, true);
        if (result.isErr()) return;
        const out = result.value;
        expect(out === ROOT || out.startsWith(`${ROOT}/`)).toBe(true);
        expect(out.split("/")).not.toContain("..");
        expect(out).not.toContain("\0");
        expect(out).not.toMatch(/%2[ef]/i);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("validateRoot", () => {
  it("normalizes an absolute root", () => {
    expect(validateRoot("/workspace/")._unsafeUnwrap()).toBe("/workspace");
    expect(validateRoot("//srv/./app")._unsafeUnwrap()).toBe("/srv/app");
    expect(validateRoot("/")._unsafeUnwrap()).toBe("/");
  });

  it("refuses relative roots and roots with ..", () => {
    expect(validateRoot("workspace")._unsafeUnwrapErr()).toMatchObject({
      kind: "InvalidArgument",
      argument: "root",
    });
    expect(validateRoot("/a/../b").isErr()).toBe(true);
  });
});
