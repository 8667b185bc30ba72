/**
 * Type tests of the error model: the `KitError` union is the product, so its kinds, narrowing and exhaustiveness
 * are checked by the compiler (vitest's typecheck mode runs these files through tsc).
 */
import { describe, expectTypeOf, it } from "vitest";
import type { KitError, KitErrorKind, KitErrorOf } from "../../src/index.js";
import { isKitError, kitError } from "../../src/index.js";

/** Compiles only while the switch names every kind: a kind added or lost breaks it. */
function describeKind(error: KitError): string {
  switch (error.kind) {
    case "InvalidArgument":
      return error.argument;
    case "PathOutsideRoot":
      return error.path;
    case "PayloadTooLarge":
      return `${error.bytes}/${error.limit}`;
    case "NotFound":
      return error.resource;
    case "Auth":
    case "Forbidden":
      return error.message;
    case "RegionUnavailable":
      return error.region;
    case "NoRegionAvailable":
      return String(error.attempts.length);
    case "RateLimited":
      return String(error.retryAfterMs);
    case "Timeout":
      return `${error.operation} ${error.afterMs}`;
    case "Transient":
      return String(error.status);
    case "Conflict":
      return error.message;
    case "SandboxFailed":
      return error.state;
    case "CommandFailed":
      return `${error.command} ${error.exitCode}`;
    case "OutOfMemory":
      return error.command;
    case "ProvisionFailed":
      return error.step;
    case "Unsupported":
      return error.feature;
    case "Aborted":
    case "Unexpected":
      return error.message;
    default: {
      const unreachable: never = error;
      return unreachable;
    }
  }
}

describe("KitError", () => {
  it("has exactly these kinds", () => {
    expectTypeOf<KitErrorKind>().toEqualTypeOf<
      | "InvalidArgument"
      | "PathOutsideRoot"
      | "PayloadTooLarge"
      | "NotFound"
      | "Auth"
      | "Forbidden"
      | "RegionUnavailable"
      | "NoRegionAvailable"
      | "RateLimited"
      | "Timeout"
      | "Transient"
      | "Conflict"
      | "SandboxFailed"
      | "CommandFailed"
      | "OutOfMemory"
      | "ProvisionFailed"
      | "Unsupported"
      | "Aborted"
      | "Unexpected"
    >();
    expectTypeOf(describeKind).returns.toEqualTypeOf<string>();
  });

  it("KitErrorOf narrows to one kind and its own fields", () => {
    expectTypeOf<KitErrorOf<"PayloadTooLarge">["kind"]>().toEqualTypeOf<"PayloadTooLarge">();
    expectTypeOf<KitErrorOf<"PayloadTooLarge">>().toHaveProperty("limit").toEqualTypeOf<number>();
    expectTypeOf<KitErrorOf<"CommandFailed">>().toHaveProperty("exitCode").toEqualTypeOf<number>();
    // @ts-expect-error not a kind
    expectTypeOf<KitErrorOf<"Oops">>().toBeNever();
  });

  it("narrows on kind checks", () => {
    const error = kitError.timeout("exec", 1_000) as KitError;
    if (error.kind === "Timeout") expectTypeOf(error.afterMs).toEqualTypeOf<number | undefined>();
    // @ts-expect-error `afterMs` exists only once the kind is known
    error.afterMs;
  });

  it("isKitError narrows unknown values", () => {
    const value: unknown = kitError.conflict("busy");
    if (isKitError(value)) expectTypeOf(value).toEqualTypeOf<KitError>();
  });

  it("errors are readonly", () => {
    const error = kitError.conflict("busy");
    // @ts-expect-error readonly field
    error.message = "changed";
  });
});
