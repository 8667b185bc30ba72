import { describe, expect, it } from "vitest";
import { toFileEntry } from "../../../src/driver/daytona/translate.js";

const entry = (fields: { mode?: string; permissions?: string }) =>
  toFileEntry({ name: "f", isDir: false, size: 1, ...fields }, "/workspace").mode;

describe("file modes from the daemon's FileInfo", () => {
  it("take the octal permissions without the leading zero", () => {
    expect(entry({ mode: "-rw-r--r--", permissions: "0644" })).toBe("644");
    expect(entry({ permissions: "0755" })).toBe("755");
    expect(entry({ permissions: "04755" })).toBe("4755");
    expect(entry({ permissions: "0000" })).toBe("000");
  });

  it("derive octal from the symbolic mode when permissions are missing or malformed", () => {
    expect(entry({ mode: "-rw-r--r--" })).toBe("644");
    expect(entry({ mode: "drwxr-x---", permissions: "rwx" })).toBe("750");
    expect(entry({ mode: "-rwsr-xr-T" })).toBe("754");
  });

  it("leave the mode out when neither says anything usable", () => {
    expect(entry({})).toBeUndefined();
    expect(entry({ mode: "weird", permissions: "0999" })).toBeUndefined();
  });
});
