import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { guarded, unexpectedThrow } from "../../src/boundary.js";
import { type KitError, kitError } from "../../src/errors.js";

describe("the throw → error boundary", () => {
  it("passes an Ok and an Err through untouched", async () => {
    expect((await guarded("op", () => okAsync(7)))._unsafeUnwrap()).toBe(7);
    const refused = kitError.conflict("busy");
    expect((await guarded("op", () => errAsync<number, KitError>(refused)))._unsafeUnwrapErr()).toBe(refused);
  });

  it("turns a synchronous throw and a rejection into Unexpected, naming the operation and keeping the cause", async () => {
    const boom = new Error("boom");
    const thrown = (
      await guarded("read file", () => {
        throw boom;
      })
    )._unsafeUnwrapErr();
    expect(thrown).toMatchObject({ kind: "Unexpected", cause: boom, retryable: false });
    expect(thrown.message).toBe("read file failed unexpectedly: boom");
    const rejected = (
      await guarded("list", () => new ResultAsync(Promise.reject("no socket")))
    )._unsafeUnwrapErr();
    expect(rejected).toMatchObject({ kind: "Unexpected", cause: "no socket" });
    expect(rejected.message).toBe("list failed unexpectedly: no socket");
  });

  it("keeps a thrown KitError as it is", () => {
    const timeout = kitError.timeout("exec", 5);
    expect(unexpectedThrow("exec", timeout)).toBe(timeout);
  });
});
