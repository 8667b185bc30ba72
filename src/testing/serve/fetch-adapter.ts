import type { IncomingMessage, ServerResponse } from "node:http";
import { getResponse, type RequestHandler } from "msw";
import type { NodeAdapter } from "./node-adapter.js";

/** Answers a request the msw handlers do not (a path outside `/api`, `/toolbox` and `/preview`), or `undefined`. */
export type Fallback = (request: Request) => Response | undefined | Promise<Response | undefined>;

/** What the listener dispatches to: the emulator's handlers and the server's own origin. */
export interface Dispatch {
  readonly origin: string;
  /** A request body over this many bytes answers 413 unread (a local test double must not be made to buffer GBs). */
  readonly maxBodyBytes: number;
  readonly handlers: readonly RequestHandler[];
  readonly before?: Fallback;
  /**
   * Answers a request before its body is read (`undefined`: go on as usual), so a proxy can stream the body
   * through instead of buffering it (the preview proxy of a real back end).
   */
  readonly streaming?: Fallback;
}

/**
 * The body, read whole, or `undefined` once it passes `cap` bytes. Reading stops there without cancelling the
 * stream (a cancel would drop the connection before the 413 is written); hono drains or closes the rest.
 */
async function readCapped(request: Request, cap: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (Number(request.headers.get("content-length") ?? 0) > cap) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  if (!reader) return new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      reader.releaseLock();
      return undefined;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * The request as a global Fetch `Request` on the server's own origin: the msw handlers match full URLs, and a
 * client may have written `localhost` (or anything) in `Host`. The body is read whole (the emulator buffers
 * every body anyway), so msw can clone it freely; a body over `maxBodyBytes` is `undefined` (answered 413).
 */
async function onOrigin(
  request: Request,
  origin: string,
  maxBodyBytes: number,
): Promise<Request | undefined> {
  const url = new URL(request.url);
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const body = hasBody ? await readCapped(request, maxBodyBytes) : undefined;
  if (hasBody && body === undefined) return undefined;
  return new Request(new URL(url.pathname + url.search, origin), {
    method: request.method,
    headers: request.headers,
    ...(body === undefined ? {} : { body }),
  });
}

const jsonError = (status: number, message: string) =>
  Response.json({ statusCode: status, message }, { status });

/**
 * A Node `request` listener serving msw handlers: `@hono/node-server` turns each Node request into a Fetch
 * `Request` (without replacing the process's global `Request`/`Response`, which msw and the SDK use), msw's
 * `getResponse` picks the handler and runs it, and hono writes the `Response` back. msw's network error
 * (`HttpResponse.error()`) drops the connection, as a dead server would.
 */
export function fetchListener(
  adapter: NodeAdapter,
  current: () => Dispatch | undefined,
): (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void> {
  return adapter.getRequestListener(
    async (raw, env) => {
      const dispatch = current();
      if (!dispatch) return jsonError(503, "daytona-kit: the server is still starting");
      const streamed = await dispatch.streaming?.(raw);
      if (streamed) return streamed;
      const request = await onOrigin(raw, dispatch.origin, dispatch.maxBodyBytes);
      if (!request) {
        const tooLarge = jsonError(413, `daytona-kit: request body over ${dispatch.maxBodyBytes} bytes`);
        tooLarge.headers.set("connection", "close");
        return tooLarge;
      }
      const response =
        (await dispatch.before?.(request)) ?? (await getResponse([...dispatch.handlers], request));
      if (!response) {
        const { pathname } = new URL(request.url);
        return jsonError(
          404,
          `daytona-kit: no route ${request.method} ${pathname} (Daytona's routes are under /api and /toolbox)`,
        );
      }
      if (response.type === "error") {
        env.outgoing.destroy();
        return adapter.alreadySent;
      }
      return response;
    },
    {
      overrideGlobalObjects: false,
      // A failure of the server itself (never a route's: the pipeline turns those into 500 bodies) stays visible.
      errorHandler: (error) =>
        jsonError(500, `daytona-kit: ${error instanceof Error ? error.message : String(error)}`),
    },
  ) as (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>;
}
