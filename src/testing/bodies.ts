import type { DaemonErrorCode } from "@daytona/toolbox-api-client";
import { HttpResponse } from "msw";
import type { ApiErrorBody, ErrorResponse } from "./models.js";

const REASON_PHRASES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The reason phrase Node puts in `error` (e.g. 403 → "Forbidden"), as the API's exception filter does. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? "Error";
}

/** The request's path and query, as Express's `request.url` reports it. */
function requestPath(request: Request): string {
  const url = new URL(request.url);
  return url.pathname + url.search;
}

/** `"Not Found"` → `"NOT_FOUND"`, the code the API's newer exception filter sends. */
function apiCode(status: number): string {
  return reasonPhrase(status).toUpperCase().replace(/ /g, "_");
}

/**
 * The JSON error body of Daytona's API: its exception filter's `path`, `timestamp`, `statusCode`, `error`,
 * `message`, plus the `code`, `source` and `method` Daytona Cloud's newer filter adds, e.g. the region 403
 * `{"statusCode":403,"message":"Region us is not available …","error":"Forbidden",…,"code":"FORBIDDEN","source":"DAYTONA_API"}`.
 */
export function apiErrorBody(status: number, message: string, request: Request): ApiErrorBody {
  return {
    path: requestPath(request),
    timestamp: new Date().toISOString(),
    statusCode: status,
    error: reasonPhrase(status),
    message,
    code: apiCode(status),
    source: "DAYTONA_API",
    method: request.method,
  };
}

/** The daemon error codes the emulator answers with (a subset of the SDK's `DaemonErrorCode`). */
export type EmulatedDaemonCode = Extract<
  DaemonErrorCode,
  | "FILE_NOT_FOUND"
  | "BAD_REQUEST"
  | "NOT_FOUND"
  | "CONFLICT"
  | "REQUEST_TIMEOUT"
  | "INVALID_REQUEST_BODY"
  | "INTERNAL_SERVER_ERROR"
>;

/** The toolbox daemon's JSON error body (the SDK's `ErrorResponse`: `source: "DAYTONA_DAEMON"`, a domain `code`). */
export function daemonErrorBody(
  status: number,
  message: string,
  code: EmulatedDaemonCode,
  request: Request,
): ErrorResponse {
  return {
    statusCode: status,
    message,
    code,
    source: "DAYTONA_DAEMON",
    path: new URL(request.url).pathname,
    method: request.method,
    timestamp: new Date().toISOString(),
  };
}

/** An API error response. */
export function apiError(status: number, message: string, request: Request): Response {
  return HttpResponse.json(apiErrorBody(status, message, request), { status });
}

/** A daemon error response. */
export function daemonError(
  status: number,
  message: string,
  code: EmulatedDaemonCode,
  request: Request,
): Response {
  return HttpResponse.json(daemonErrorBody(status, message, code, request), { status });
}

/**
 * An error of the toolbox proxy, which answers before the daemon sees the request (unknown sandbox, sandbox not
 * running): the proxy's `ErrorResponse` (no daemon `source`).
 */
export function proxyError(status: number, message: string, request: Request): Response {
  const body: ErrorResponse = {
    statusCode: status,
    message,
    code: status === 404 ? "NOT_FOUND" : "BAD_REQUEST",
    path: new URL(request.url).pathname,
    method: request.method,
    timestamp: new Date().toISOString(),
  };
  return HttpResponse.json(body, { status });
}
