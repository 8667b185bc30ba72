import { describe, expect, it } from "vitest";
import { resolveLimits } from "../../../src/driver/local/limits.js";

describe("resolveLimits", () => {
  it("defaults to Daytona's sandbox: 1 vCPU, 1 GiB, 3 GiB disk, and 1024 processes", () => {
    expect(resolveLimits(undefined, {})._unsafeUnwrap()).toEqual({
      cpu: 1,
      memoryGiB: 1,
      diskGiB: 3,
      pids: 1024,
    });
  });

  it("takes the spec first, then the driver's defaults", () => {
    expect(
      resolveLimits(
        { memoryGiB: 2 },
        { defaultMemoryGiB: 4, defaultCpu: 2, maxProcesses: 64 },
      )._unsafeUnwrap(),
    ).toEqual({ cpu: 2, memoryGiB: 2, diskGiB: 3, pids: 64 });
  });

  it.each([
    ["memoryGiB", Infinity],
    ["memoryGiB", Number.NaN],
    ["memoryGiB", -1],
    ["memoryGiB", 0],
    ["memoryGiB", "2"],
    ["cpu", Infinity],
    ["cpu", 1e9],
    ["diskGiB", -3],
    ["diskGiB", null],
  ])("refuses resources.%s = %s with InvalidArgument", (field, value) => {
    const resolved = resolveLimits({ [field]: value } as never, {});
    // Only undefined means "not given": null is refused like any other non-number.
    expect(resolved._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(resolved._unsafeUnwrapErr()).toMatchObject({ argument: `resources.${field}` });
  });

  it("refuses driver defaults and process limits that are not finite", () => {
    expect(resolveLimits(undefined, { defaultMemoryGiB: Infinity })._unsafeUnwrapErr().kind).toBe(
      "InvalidArgument",
    );
    expect(resolveLimits(undefined, { maxProcesses: 1.5 })._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(resolveLimits(undefined, { maxProcesses: 2 })._unsafeUnwrapErr().kind).toBe("InvalidArgument");
  });
});
