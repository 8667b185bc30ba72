/**
 * The kit's hold on the SDK's HTTP traffic. The SDK takes no per-call timeout or AbortSignal for most requests
 * and its default request timeout is 24 h, so the driver wraps the axios adapter of every SDK client and sandbox
 * object it sees. Each request then gets:
 * - the running public call's deadline as its timeout and the call's signal (see `policy/deadline.ts`), plus the
 *   driver's own signal, which `dispose()` fires;
 * - sockets from the driver's own keep-alive agents, which `dispose()` destroys, so no socket outlives the kit;
 * - a consumed error body: axios leaves the body of a failed `stream` response (a download) unread, which keeps
 *   its socket open until the server closes it. It is read (bounded) and parsed, so the SDK still sees the
 *   server's message and the socket is released.
 * @module
 */
import { setMaxListeners } from "node:events";
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import { clampTimerMs, currentScope } from "../../policy/deadline.js";

/** The slice of an axios request config the wrapper touches. */
interface RequestConfigLike {
  timeout?: number;
  signal?: AbortSignal;
  httpAgent?: unknown;
  httpsAgent?: unknown;
}

type Adapter = (config: RequestConfigLike) => Promise<unknown>;

interface AxiosLike {
  defaults: { adapter?: unknown };
}

/** The largest error body read to recover the server's message; a longer one is dropped with its socket. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** How long after the running call's deadline a request's own timeout fires, should the abort not end it. */
const SCOPE_BACKSTOP_MS = 1_000;

const WRAPPED = Symbol.for("@apex/daytona-kit.transport");

/** One driver's HTTP transport: its agents, its lifetime signal, and the adapter wrapper. */
export interface Transport {
  /** Wraps the adapter of every axios instance reachable from an SDK client or sandbox object (idempotent). */
  adopt(sdkObject: unknown): void;
  /** The driver's lifetime: fired by `close()`. */
  readonly signal: AbortSignal;
  /** Aborts every request in flight and destroys every socket (idle keep-alive ones included). */
  close(): void;
}

/** Creates the transport of one driver. */
export function createTransport(): Transport {
  const lifetime = new AbortController();
  setMaxListeners(0, lifetime.signal);
  const agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };

  const wrap = (instance: AxiosLike) => {
    const current = instance.defaults.adapter as (Adapter & { [WRAPPED]?: true }) | undefined;
    if (typeof current !== "function" || current[WRAPPED]) return;
    const wrapped: Adapter & { [WRAPPED]?: true } = async (config) => {
      applyScope(config, lifetime.signal);
      config.httpAgent = agents.http;
      config.httpsAgent = agents.https;
      try {
        return await current(config);
      } catch (thrown) {
        await drainErrorBody(thrown);
        throw thrown;
      }
    };
    wrapped[WRAPPED] = true;
    instance.defaults.adapter = wrapped;
  };

  return {
    signal: lifetime.signal,
    adopt(sdkObject) {
      for (const instance of axiosInstancesOf(sdkObject)) wrap(instance);
    },
    close() {
      lifetime.abort();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** Gives the request the call's remaining time as its timeout, and the call's and the driver's signals. */
function applyScope(config: RequestConfigLike, lifetime: AbortSignal): void {
  const scope = currentScope();
  const signals = [config.signal, scope?.signal, lifetime].filter(
    (signal): signal is AbortSignal => signal !== undefined,
  );
  // The driver's lifetime signal is always there: alone, it is the request's signal.
  config.signal = signals.length === 1 ? lifetime : AbortSignal.any(signals);
  const left = scope?.remainingMs() ?? Number.POSITIVE_INFINITY;
  const own =
    typeof config.timeout === "number" && config.timeout > 0 ? config.timeout : Number.POSITIVE_INFINITY;
  // The scope's own timer ends the call (its signal aborts the request); the request's timeout is a backstop
  // set a little later, so the call always ends as the scope's Timeout, naming the caller's budget.
  const timeout = Math.min(left + SCOPE_BACKSTOP_MS, own);
  // axios reads 0 as "no timeout": a spent budget is 1 ms.
  if (Number.isFinite(timeout)) config.timeout = Math.max(1, clampTimerMs(timeout));
}

/** Reads a failed stream response's body into memory (bounded) and puts the parsed body in its place. */
async function drainErrorBody(thrown: unknown): Promise<void> {
  const response = (thrown as { response?: { data?: unknown } } | undefined)?.response;
  const body = response?.data as Readable | undefined;
  if (
    !body ||
    typeof body !== "object" ||
    typeof body.on !== "function" ||
    typeof body.destroy !== "function"
  ) {
    return;
  }
  const stream = body as Readable & { readableEnded?: boolean; destroyed?: boolean };
  if (stream.readableEnded || stream.destroyed) return;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      body.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ERROR_BODY_BYTES) {
          body.destroy();
          resolve();
          return;
        }
        chunks.push(chunk);
      });
      body.once("end", resolve);
      body.once("close", resolve);
      body.once("error", reject);
    });
  } catch {
    body.destroy();
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    (response as { data?: unknown }).data = text.length > 0 ? JSON.parse(text) : text;
  } catch {
    (response as { data?: unknown }).data = text;
  }
}

/**
 * The axios instances of an SDK client (`sandboxApi.axios`, shared by its control-plane APIs) or of a sandbox
 * object (`axiosInstance`, its toolbox calls). Objects of another shape (fakes) have none and are left alone.
 */
function axiosInstancesOf(sdkObject: unknown): AxiosLike[] {
  if (typeof sdkObject !== "object" || sdkObject === null) return [];
  const found: AxiosLike[] = [];
  const candidates = [
    (sdkObject as { axiosInstance?: unknown }).axiosInstance,
    (sdkObject as { sandboxApi?: { axios?: unknown } }).sandboxApi?.axios,
  ];
  for (const candidate of candidates) {
    const defaults = (candidate as { defaults?: { adapter?: unknown } } | undefined)?.defaults;
    if (defaults && typeof defaults.adapter === "function") found.push(candidate as AxiosLike);
  }
  return found;
}
