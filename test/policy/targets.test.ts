import { describe, expect, it } from "vitest";
import { DEFAULT_TARGETS, resolveTargets } from "../../src/policy/region.js";

describe("resolveTargets", () => {
  it("defaults to us then eu when neither options nor environment name a region", () => {
    expect(resolveTargets({ env: {} })._unsafeUnwrap()).toEqual(["us", "eu"]);
    expect(DEFAULT_TARGETS).toEqual(["us", "eu"]);
  });

  it("prefers the targets option over the environment", () => {
    const env = { DAYTONA_TARGETS: "eu,us", DAYTONA_TARGET: "us" };
    expect(resolveTargets({ targets: ["eu"], env })._unsafeUnwrap()).toEqual(["eu"]);
  });

  it("reads DAYTONA_TARGETS separated by commas and/or spaces, in order", () => {
    expect(resolveTargets({ env: { DAYTONA_TARGETS: "eu,us" } })._unsafeUnwrap()).toEqual(["eu", "us"]);
    expect(resolveTargets({ env: { DAYTONA_TARGETS: " eu us , asia-1 " } })._unsafeUnwrap()).toEqual([
      "eu",
      "us",
      "asia-1",
    ]);
  });

  it("prefers DAYTONA_TARGETS over DAYTONA_TARGET", () => {
    const env = { DAYTONA_TARGETS: "us", DAYTONA_TARGET: "eu" };
    expect(resolveTargets({ env })._unsafeUnwrap()).toEqual(["us"]);
  });

  it("puts DAYTONA_TARGET first, followed by the defaults without repeating it", () => {
    expect(resolveTargets({ env: { DAYTONA_TARGET: "eu" } })._unsafeUnwrap()).toEqual(["eu", "us"]);
    expect(resolveTargets({ env: { DAYTONA_TARGET: "us" } })._unsafeUnwrap()).toEqual(["us", "eu"]);
    expect(resolveTargets({ env: { DAYTONA_TARGET: "asia" } })._unsafeUnwrap()).toEqual(["asia", "us", "eu"]);
  });

  it("treats empty or blank environment values as unset", () => {
    expect(resolveTargets({ env: { DAYTONA_TARGETS: "  ", DAYTONA_TARGET: "eu" } })._unsafeUnwrap()).toEqual([
      "eu",
      "us",
    ]);
    expect(resolveTargets({ env: { DAYTONA_TARGETS: "", DAYTONA_TARGET: "" } })._unsafeUnwrap()).toEqual([
      "us",
      "eu",
    ]);
  });

  it("removes duplicates while keeping the first position", () => {
    expect(resolveTargets({ targets: ["eu", "us", "eu"] })._unsafeUnwrap()).toEqual(["eu", "us"]);
    expect(resolveTargets({ env: { DAYTONA_TARGETS: "us,us,eu" } })._unsafeUnwrap()).toEqual(["us", "eu"]);
  });

  it("reads process.env when no env is given", () => {
    const saved = process.env.DAYTONA_TARGETS;
    process.env.DAYTONA_TARGETS = "eu";
    try {
      expect(resolveTargets({})._unsafeUnwrap()).toEqual(["eu"]);
    } finally {
      if (saved === undefined) delete process.env.DAYTONA_TARGETS;
      else process.env.DAYTONA_TARGETS = saved;
    }
  });

  it.each([
    [{ targets: [] }, "targets"],
    [{ targets: ["US"] }, "targets"],
    [{ targets: ["us", "-eu"] }, "targets"],
    [{ targets: ["eu west"] }, "targets"],
    [{ targets: ["a".repeat(64)] }, "targets"],
    [{ env: { DAYTONA_TARGETS: "us,EU" } }, "DAYTONA_TARGETS"],
    [{ env: { DAYTONA_TARGETS: "us;eu" } }, "DAYTONA_TARGETS"],
    [{ env: { DAYTONA_TARGET: "../eu" } }, "DAYTONA_TARGET"],
  ])("refuses %o with InvalidArgument naming %s", (options, argument) => {
    const error = resolveTargets(options)._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "InvalidArgument", argument, retryable: false });
  });

  it("accepts names up to 63 characters of lowercase letters, digits and dashes", () => {
    const longest = `a${"-".repeat(61)}9`;
    expect(resolveTargets({ targets: [longest, "0eu"] })._unsafeUnwrap()).toEqual([longest, "0eu"]);
  });
});
