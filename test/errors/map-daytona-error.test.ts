import { describe, expect, it } from "vitest";
import { mapDaytonaError } from "../../src/driver/daytona/map-error.js";
import type { KitError } from "../../src/errors.js";
import { isKitError } from "../../src/errors.js";

/** An error shaped like the SDK's (name, message, statusCode, code, source, headers). */
function sdkError(name: string, message: string, statusCode?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name, statusCode, ...extra });
}

const context = { operation: "create sandbox", timeoutMs: 60_000, region: "us" };

describe("mapDaytonaError: the status table of the contract, §5", () => {
  const rows: [number, string, KitError["kind"], boolean][] = [
    [400, "DaytonaValidationError", "InvalidArgument", false],
    [401, "DaytonaAuthenticationError", "Auth", false],
    [403, "DaytonaAuthorizationError", "Forbidden", false],
    [404, "DaytonaNotFoundError", "NotFound", false],
    [408, "DaytonaTimeoutError", "Timeout", true],
    [409, "DaytonaConflictError", "Conflict", false],
    [410, "DaytonaGoneError", "InvalidArgument", false],
    [422, "DaytonaUnprocessableEntityError", "InvalidArgument", false],
    [429, "DaytonaRateLimitError", "RateLimited", true],
    [500, "DaytonaInternalServerError", "Transient", true],
    [502, "DaytonaBadGatewayError", "Transient", true],
    [503, "DaytonaServiceUnavailableError", "Transient", true],
    [504, "DaytonaTimeoutError", "Timeout", true],
    [418, "DaytonaError", "Unexpected", false],
  ];
  for (const [status, name, kind, retryable] of rows) {
    it(`maps HTTP ${status} (${name}) to ${kind}, retryable=${retryable}`, () => {
      const mapped = mapDaytonaError(sdkError(name, `server said ${status}`, status), context);
      expect(mapped.kind).toBe(kind);
      expect(mapped.retryable).toBe(retryable);
      expect(isKitError(mapped)).toBe(true);
    });
  }

  it("maps Daytona's 400 for a sandbox in the wrong state to Conflict, as the other drivers do", () => {
    for (const message of [
      "Sandbox is not in valid state",
      "Sandbox is not in a stoppable state",
      "Sandbox must be in started state to pause",
      "Sandbox must be in started or stopped state to resize",
      "Sandbox is not running (state: stopped)",
    ]) {
      expect(mapDaytonaError(sdkError("DaytonaValidationError", message, 400), context)).toMatchObject({
        kind: "Conflict",
        message,
      });
    }
    expect(
      mapDaytonaError(sdkError("DaytonaValidationError", "Invalid sandbox state: nope", 400), context).kind,
    ).toBe("InvalidArgument");
  });

  it("keeps the HTTP status on errors that carry one", () => {
    expect(mapDaytonaError(sdkError("DaytonaBadGatewayError", "bad", 502), context)).toMatchObject({
      kind: "Transient",
      status: 502,
    });
    expect(mapDaytonaError(sdkError("DaytonaValidationError", "bad", 422), context)).toMatchObject({
      status: 422,
    });
  });

  it("says a 504 or 408 is the SERVER timing out, not our deadline", () => {
    for (const status of [408, 504]) {
      const mapped = mapDaytonaError(sdkError("DaytonaTimeoutError", "t", status), context);
      expect(mapped).toMatchObject({ kind: "Timeout", operation: "create sandbox", retryable: true });
      expect(mapped.message).toContain(`the server timed out (HTTP ${status})`);
      expect(mapped.message).not.toContain("60000");
      expect((mapped as { afterMs?: number }).afterMs).toBeUndefined();
    }
  });

  it("reports the deadline of the call in a client-side Timeout", () => {
    expect(mapDaytonaError(sdkError("DaytonaConnectionTimeoutError", "t"), context)).toMatchObject({
      operation: "create sandbox",
      afterMs: 60_000,
    });
  });
});

describe("mapDaytonaError: daemon codes and transport failures", () => {
  it("maps FILE_NOT_FOUND from the daemon to NotFound naming the file", () => {
    const thrown = sdkError("DaytonaFileNotFoundError", "file not found: /x", 404, {
      code: "FILE_NOT_FOUND",
      source: "DAYTONA_DAEMON",
    });
    const mapped = mapDaytonaError(thrown, { operation: "download", resource: { kind: "file", id: "/x" } });
    expect(mapped).toMatchObject({ kind: "NotFound", resource: "file", id: "/x" });
  });

  it("maps PROCESS_EXECUTION_TIMEOUT to Timeout even without a status", () => {
    const thrown = sdkError("DaytonaProcessExecutionTimeoutError", "took too long", undefined, {
      code: "PROCESS_EXECUTION_TIMEOUT",
      source: "DAYTONA_DAEMON",
    });
    expect(mapDaytonaError(thrown, { operation: "exec sleep 9", timeoutMs: 1000 })).toMatchObject({
      kind: "Timeout",
      afterMs: 1000,
    });
  });

  it("maps a connection error (no response) to a retryable Transient", () => {
    const mapped = mapDaytonaError(sdkError("DaytonaConnectionError", "socket hang up"), context);
    expect(mapped).toMatchObject({ kind: "Transient", retryable: true });
    expect(mapped.message).toContain("socket hang up");
  });

  it("maps a raw ECONNRESET to Transient", () => {
    expect(mapDaytonaError(Object.assign(new Error("reset"), { code: "ECONNRESET" }), context).kind).toBe(
      "Transient",
    );
  });

  it("maps the client-side axios deadline (DaytonaConnectionTimeoutError) to Timeout", () => {
    const mapped = mapDaytonaError(
      sdkError("DaytonaConnectionTimeoutError", "HTTP request timed out after 5000ms"),
      context,
    );
    expect(mapped.kind).toBe("Timeout");
  });

  it("maps the SDK's create-wait timeout (no status) to Timeout", () => {
    const mapped = mapDaytonaError(
      sdkError(
        "DaytonaTimeoutError",
        "Failed to create and start sandbox within 60 seconds. Operation timed out.",
      ),
      context,
    );
    expect(mapped.kind).toBe("Timeout");
  });

  it("maps 'failed to start with status: error' to SandboxFailed with the reason", () => {
    const mapped = mapDaytonaError(
      sdkError("DaytonaError", "Sandbox sb-9 failed to start with status: error, error reason: disk full"),
      context,
    );
    expect(mapped).toMatchObject({
      kind: "SandboxFailed",
      sandboxId: "sb-9",
      state: "error",
      reason: "disk full",
    });
  });

  it("maps an abort to Aborted", () => {
    const abort = Object.assign(new Error("This operation was aborted"), { name: "AbortError" });
    expect(mapDaytonaError(abort, context).kind).toBe("Aborted");
  });

  it("passes a KitError through unchanged", () => {
    const original = mapDaytonaError(sdkError("DaytonaConflictError", "c", 409), context);
    expect(mapDaytonaError(original, context)).toBe(original);
  });

  it("maps a non-Error throw to Unexpected with its text", () => {
    expect(mapDaytonaError("boom", context)).toMatchObject({ kind: "Unexpected" });
    expect(mapDaytonaError("boom", context).message).toContain("boom");
  });
});

describe("mapDaytonaError: regions", () => {
  it("maps the region 403 with ' for class container' to RegionUnavailable naming the region", () => {
    const thrown = sdkError(
      "DaytonaAuthorizationError",
      "Region us is not available to the organization for class container",
      403,
      { code: "FORBIDDEN", source: "DAYTONA_API" },
    );
    expect(mapDaytonaError(thrown, context)).toMatchObject({ kind: "RegionUnavailable", region: "us" });
  });

  it("maps the older region 403 without the class suffix to RegionUnavailable", () => {
    const thrown = sdkError(
      "DaytonaAuthorizationError",
      "Region eu is not available to the organization",
      403,
    );
    expect(mapDaytonaError(thrown, { ...context, region: "eu" })).toMatchObject({
      kind: "RegionUnavailable",
      region: "eu",
    });
  });

  it("maps 404 'Region not found' to RegionUnavailable for the target of the call", () => {
    const thrown = sdkError("DaytonaNotFoundError", "Region not found", 404);
    expect(mapDaytonaError(thrown, { ...context, region: "mars" })).toMatchObject({
      kind: "RegionUnavailable",
      region: "mars",
    });
  });

  it("keeps a quota 403 a Forbidden, not a region error", () => {
    const thrown = sdkError(
      "DaytonaAuthorizationError",
      "CPU request 8 exceeds maximum allowed per sandbox",
      403,
    );
    expect(mapDaytonaError(thrown, context).kind).toBe("Forbidden");
  });
});

describe("mapDaytonaError: Retry-After", () => {
  it("reads Retry-After seconds into RateLimited.retryAfterMs", () => {
    const thrown = sdkError("DaytonaRateLimitError", "Rate limit exceeded", 429, {
      headers: { "retry-after": "2" },
    });
    expect(mapDaytonaError(thrown, context)).toMatchObject({ kind: "RateLimited", retryAfterMs: 2000 });
  });

  it("reads Retry-After-sandbox-create too, from AxiosHeaders-like objects", () => {
    const headers = { toJSON: () => ({ "Retry-After-sandbox-create": "7" }) };
    const thrown = sdkError("DaytonaRateLimitError", "Rate limit exceeded", 429, { headers });
    expect(mapDaytonaError(thrown, context)).toMatchObject({ retryAfterMs: 7000 });
  });

  it("names the throttlers that refused the request, each with its own wait", () => {
    const thrown = sdkError("DaytonaRateLimitError", "ThrottlerException: Too Many Requests", 429, {
      headers: { "retry-after": "2", "retry-after-sandbox-create": "12", "Retry-After-authenticated": "1" },
    });
    const error = mapDaytonaError(thrown, context);
    expect(error).toMatchObject({
      kind: "RateLimited",
      retryAfterMs: 12_000,
      throttlers: { "sandbox-create": 12_000, authenticated: 1_000 },
    });
  });

  it("leaves throttlers out when only the generic Retry-After came", () => {
    const thrown = sdkError("DaytonaRateLimitError", "Rate limit exceeded", 429, {
      headers: { "retry-after": "2" },
    });
    expect("throttlers" in mapDaytonaError(thrown, context)).toBe(false);
  });
});

describe("mapDaytonaError: secrets", () => {
  const apiKey = "dtn_0123456789abcdef0123456789abcdef";

  it("never puts the API key in a message, whatever the server echoed", () => {
    for (const status of [400, 401, 403, 404, 429, 500, 502]) {
      const thrown = sdkError("DaytonaError", `bad key ${apiKey} / Authorization: Bearer ${apiKey}`, status);
      const mapped = mapDaytonaError(thrown, { ...context, secrets: [apiKey] });
      expect(mapped.message).not.toContain(apiKey);
      expect(JSON.stringify(mapped)).not.toContain(apiKey);
    }
  });

  it("redacts a dtn_ key even when the caller did not name it as a secret", () => {
    const mapped = mapDaytonaError(sdkError("DaytonaConnectionError", `failed for ${apiKey}`), context);
    expect(mapped.message).not.toContain(apiKey);
  });

  it("does not keep the raw error (which may hold request headers) as the cause", () => {
    const thrown = sdkError("DaytonaError", "x", 500, {
      config: { headers: { Authorization: `Bearer ${apiKey}` } },
    });
    expect(JSON.stringify(mapDaytonaError(thrown, { ...context, secrets: [apiKey] }))).not.toContain(apiKey);
  });
});
