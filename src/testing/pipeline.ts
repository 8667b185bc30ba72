import { HttpResponse, http, type RequestHandler } from "msw";
import { apiErrorBody } from "./bodies.js";
import type { EmulatorContext } from "./context.js";
import { throttleHeaders } from "./rate-limits.js";
import type { RouteInput } from "./route-input.js";
import type { EmulatorRoute } from "./routes.js";
import type { Fault } from "./types.js";

export type { RouteInput } from "./route-input.js";

type Method = "get" | "post" | "put" | "delete";

/** The default message of an injected status (429 uses the API's throttler message). */
function faultMessage(status: number): string {
  if (status === 429) return "Rate limit exceeded";
  return `Injected fault: HTTP ${status}`;
}

/** The response an injected fault answers with, or `undefined` for a latency-only fault. */
function faultResponse(fault: Fault, request: Request): Response | undefined {
  if (fault.connectionError) return HttpResponse.error();
  if (fault.status === undefined) return undefined;
  const headers = new Headers(fault.headers);
  const body =
    fault.body === undefined ? apiErrorBody(fault.status, faultMessage(fault.status), request) : fault.body;
  if (typeof body === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain");
    return new HttpResponse(body, { status: fault.status, headers });
  }
  return HttpResponse.json(body as Record<string, unknown>, { status: fault.status, headers });
}

function faultKind(fault: Fault): "status" | "connection" | "latency" {
  if (fault.connectionError) return "connection";
  return fault.status === undefined ? "latency" : "status";
}

/** True when the request carries `Authorization: Bearer <apiKey>`. */
export function isAuthorized(request: Request, apiKey: string): boolean {
  return request.headers.get("authorization") === `Bearer ${apiKey}`;
}

/**
 * Wraps a route's resolver with what every route shares: the request log and in-flight counters, the global
 * latency, Bearer auth (401 with Daytona's body), and injected faults (before the effect, or after it with
 * `applyFirst`).
 */
export function defineRoute(
  ctx: EmulatorContext,
  id: EmulatorRoute,
  method: Method,
  url: string,
  resolve: (input: RouteInput) => Response | Promise<Response>,
): RequestHandler {
  return http[method](url, async ({ request, params }) => {
    const sandboxId = typeof params.id === "string" ? params.id : (params.sandboxId as string | undefined);
    const entry = ctx.log.begin(id, request, sandboxId);
    let response: Response = HttpResponse.error();
    const sleep = (ms: number) => ctx.options.clock.sleep(ms);
    try {
      if (ctx.options.latencyMs > 0) await sleep(ctx.options.latencyMs);
      if (!isAuthorized(request, ctx.options.apiKey)) {
        response = HttpResponse.json(apiErrorBody(401, "Unauthorized", request), { status: 401 });
        return response;
      }
      // Daytona's throttler guard runs after authentication and before the route's work.
      const throttled = ctx.rateLimits.check(id);
      if (throttled) {
        entry.throttledBy = throttled.throttler;
        const body = apiErrorBody(429, "ThrottlerException: Too Many Requests", request);
        response = HttpResponse.json(body, { status: 429, headers: throttleHeaders(throttled) });
        return response;
      }
      // A back end that holds sandboxes of its own (a restart) has loaded them before any route reads the state.
      if (ctx.backend.ready) await ctx.backend.ready();
      const fault = ctx.faults.take(id);
      if (fault) entry.fault = faultKind(fault);
      if (fault && !fault.applyFirst) {
        if (fault.latencyMs) await sleep(fault.latencyMs);
        const early = faultResponse(fault, request);
        if (early) {
          response = early;
          return response;
        }
      }
      try {
        response = await resolve({ request, params, url: new URL(request.url) });
      } catch (error) {
        // A throwing responder (or an emulator bug) becomes a visible 500 instead of msw's generic error.
        const message = `emulator: ${id} failed: ${error instanceof Error ? error.message : String(error)}`;
        response = HttpResponse.json(apiErrorBody(500, message, request), { status: 500 });
        return response;
      }
      if (fault?.applyFirst) {
        if (fault.latencyMs) await sleep(fault.latencyMs);
        response = faultResponse(fault, request) ?? response;
      }
      return response;
    } finally {
      ctx.log.end(entry, response.type === "error" ? 0 : response.status);
    }
  });
}

/** The socket.io probe of event mode: msw cannot serve WebSockets, so it answers a network error (not logged as a fault). */
export function socketIoRoute(ctx: EmulatorContext, apiUrl: string): RequestHandler {
  return http.get(`${apiUrl}/socket.io/`, ({ request }) => {
    const entry = ctx.log.begin("GET /socket.io", request, undefined);
    ctx.log.end(entry, 0);
    return HttpResponse.error();
  });
}
