import { HttpResponse } from "msw";

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
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The reason phrase Nest puts in `error` (e.g. 403 → "Forbidden"). */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? "Error";
}

/** `"Not Found"` → `"NOT_FOUND"`, the code the API's newer exception filter sends. */
function apiCode(status: number): string {
  return reasonPhrase(status).toUpperCase().replace(/ /g, "_");
}

/**
 * The JSON error body of Daytona's API (the newer filter: with `code`, `source` and `method`), e.g. the region 403
 * `{"statusCode":403,"message":"Region us is not available …","error":"Forbidden",…,"code":"FORBIDDEN","source":"DAYTONA_API"}`.
 */
export function apiErrorBody(status: number, message: string, request: Request): Record<string, unknown> {
  return {
    statusCode: status,
    message,
    error: reasonPhrase(status),
    path: new URL(request.url).pathname,
    timestamp: new Date().toISOString(),
    code: apiCode(status),
    source: "DAYTONA_API",
    method: request.method,
  };
}

/** The toolbox daemon's JSON error body (`source: "DAYTONA_DAEMON"`, with a domain `code`). */
export function daemonErrorBody(
  status: number,
  message: string,
  code: string,
  request?: Request,
): Record<string, unknown> {
  return {
    statusCode: status,
    message,
    code,
    source: "DAYTONA_DAEMON",
    ...(request ? { path: new URL(request.url).pathname, method: request.method } : {}),
    timestamp: new Date().toISOString(),
  };
}

/** An API error response. */
export function apiError(status: number, message: string, request: Request): Response {
  return HttpResponse.json(apiErrorBody(status, message, request), { status });
}

/** A daemon error response. */
export function daemonError(status: number, message: string, code: string, request: Request): Response {
  return HttpResponse.json(daemonErrorBody(status, message, code, request), { status });
}
