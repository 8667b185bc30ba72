import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import {
  checkSandboxName,
  checkSandboxNamePrefix,
  MAX_SANDBOX_NAME_LENGTH,
  sandboxNameFor,
} from "../../src/validate/sandbox-name.js";

const HASHED = /^(.*)~([0-9a-f]{12})$/;

describe("sandboxNameFor", () => {
  it("is <prefix><projectId> when that is a valid name", () => {
    expect(sandboxNameFor("apex-", "blog")).toBe("apex-blog");
    expect(sandboxNameFor("", "blog_2.x")).toBe("blog_2.x");
    expect(sandboxNameFor("team.a-", "Blog")).toBe("team.a-Blog");
  });

  it("hashes a name that would be too long, keeping it stable and within 63 characters", () => {
    const id = `p${"x".repeat(62)}`;
    const name = sandboxNameFor("apex-", id);
    expect(name.length).toBeLessThanOrEqual(MAX_SANDBOX_NAME_LENGTH);
    expect(name).toMatch(HASHED);
    expect(name.startsWith("apex-pxxx")).toBe(true);
    expect(sandboxNameFor("apex-", id)).toBe(name);
    // Two ids that share the readable part still get two names.
    expect(sandboxNameFor("apex-", `${id.slice(0, -1)}y`)).not.toBe(name);
    expect(checkSandboxName(name).isOk()).toBe(true);
  });

  it("hashes names Daytona would refuse or misread: www., UUID-shaped", () => {
    const www = sandboxNameFor("apex-", "www.site");
    expect(www).toMatch(HASHED);
    expect(www.toLowerCase()).not.toContain("www.");
    const uuid = "0b9a4d1e-3f2c-4b8a-9c7d-1e2f3a4b5c6d";
    const named = sandboxNameFor("", uuid);
    expect(named).toMatch(HASHED);
    expect(named).not.toBe(uuid);
    expect(checkSandboxName(named).isOk()).toBe(true);
    // With a prefix the UUID is no longer UUID-shaped: the plain form is kept.
    expect(sandboxNameFor("apex-", uuid)).toBe(`apex-${uuid}`);
  });

  it("never gives a hashed name that equals another project's plain name (the ~ cannot be in a project id)", () => {
    const hashed = sandboxNameFor("apex-", "www.a");
    const [, readable, hash] = HASHED.exec(hashed) ?? [];
    expect(readable).toBe("apex-www-a");
    expect(sandboxNameFor("apex-", `www-a-${hash}`)).not.toBe(hashed);
  });

  it("fits the longest prefix with the longest project id", () => {
    const name = sandboxNameFor("p".repeat(40), "q".repeat(63));
    expect(name.length).toBe(MAX_SANDBOX_NAME_LENGTH);
    expect(checkSandboxName(name).isOk()).toBe(true);
  });
});

describe("checkSandboxName", () => {
  it.each([
    "",
    "../etc",
    "a/b",
    ".hidden",
    "-dash",
    "has space",
    "www.example",
    "x".repeat(64),
    "0B9A4D1E-3F2C-4B8A-9C7D-1E2F3A4B5C6D",
    "<b>",
    "a\u0000b",
    "ü",
  ])("refuses %j", (name) => {
    expect(checkSandboxName(name)._unsafeUnwrapErr().kind).toBe("InvalidArgument");
  });

  it.each([null, undefined, 42, {}, ["apex-a"]])("refuses a non-string %j", (value) => {
    expect(checkSandboxName(value)._unsafeUnwrapErr().kind).toBe("InvalidArgument");
  });
});

describe("sandboxNamePrefix", () => {
  it("defaults to apex- and accepts an empty prefix", () => {
    expect(resolveConfig({ env: {} })._unsafeUnwrap().sandboxNamePrefix).toBe("apex-");
    expect(resolveConfig({ env: {}, sandboxNamePrefix: "" })._unsafeUnwrap().sandboxNamePrefix).toBe("");
  });

  it.each(["-x", "a~", "a/b", "www.x-", "p".repeat(41), 5, null])("refuses %j", (prefix) => {
    const checked = checkSandboxNamePrefix(prefix)._unsafeUnwrapErr();
    expect(checked.kind === "InvalidArgument" && checked.argument).toBe("sandboxNamePrefix");
    expect(resolveConfig({ env: {}, sandboxNamePrefix: prefix as string }).isErr()).toBe(true);
  });
});

describe("fallbackOn", () => {
  it("defaults to none and accepts unavailable", () => {
    expect(resolveConfig({ env: {} })._unsafeUnwrap().fallbackOn).toEqual([]);
    expect(resolveConfig({ env: {}, fallbackOn: ["unavailable"] })._unsafeUnwrap().fallbackOn).toEqual([
      "unavailable",
    ]);
  });

  it.each([["down"], "unavailable", [null], {}])("refuses %j", (value) => {
    const failed = resolveConfig({ env: {}, fallbackOn: value as never })._unsafeUnwrapErr();
    expect(failed.kind === "InvalidArgument" && failed.argument).toBe("fallbackOn");
  });
});
