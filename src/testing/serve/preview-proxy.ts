/**
 * The preview proxy of a real toolbox back end: `/preview/<sandbox id>/<port>/<path>` on the local server is
 * forwarded (method, path, query, headers, body and status, both bodies streamed) to the URL the driver's
 * `previewLink` gives for that port, as Daytona's preview proxy does for `https://<port>-<id>.proxy…`.
 * @module
 */
import type { Result } from "neverthrow";
import type { PreviewLink } from "../../driver/types.js";
import type { KitError } from "../../errors.js";
import { PREVIEW_PREFIX } from "./preview.js";

/** Where a sandbox's port is reached: the driver's `previewLink` (NotFound for an unknown sandbox). */
export type PreviewResolver = (sandboxId: string, port: number) => Promise<Result<PreviewLink, KitError>>;

/** Options of {@link proxyPreview}. */
export interface PreviewProxyOptions {
  /**
   * How long the upstream may take to answer with its status and headers before the proxy answers 504 (a hung
   * server inside must not hold the request forever). The body then streams for as long as it lasts.
   * @default 60_000
   */
  readonly headersTimeoutMs?: number;
}

/** Headers that describe one connection, not the message: never forwarded (RFC 9110, section 7.6.1). */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "host",
];

const answer = (status: number, message: string) =>
  Response.json({ statusCode: status, message }, { status });

/** `<id>`, `<port>` and the rest of a preview path, or `undefined` when it is not one. */
function parsePreviewPath(pathname: string): { id: string; port: string; rest: string } | undefined {
  if (!pathname.startsWith(PREVIEW_PREFIX)) return undefined;
  const [id = "", port = "", ...rest] = pathname.slice(PREVIEW_PREFIX.length).split("/");
  return { id: decodeURIComponent(id), port, rest: `/${rest.join("/")}` };
}

const withoutHopByHop = (headers: Headers): Headers => {
  const copy = new Headers(headers);
  for (const name of HOP_BY_HOP) copy.delete(name);
  return copy;
};

/**
 * Proxies a preview request to the sandbox's port. `undefined` for any other path. An unknown sandbox answers
 * 404, a port outside 1–65535 400, nothing listening on the port 502, an upstream that sends no status line
 * within `headersTimeoutMs` 504; otherwise the upstream's own answer.
 */
export async function proxyPreview(
  request: Request,
  resolve: PreviewResolver,
  options: PreviewProxyOptions = {},
): Promise<Response | undefined> {
  const url = new URL(request.url);
  const parsed = parsePreviewPath(url.pathname);
  if (!parsed) return undefined;
  const port = Number(parsed.port);
  if (!/^[0-9]{1,5}$/.test(parsed.port) || port < 1 || port > 65_535) {
    return answer(400, `daytona-kit: ${JSON.stringify(parsed.port)} is not a port (1-65535)`);
  }
  const link = await resolve(parsed.id, port);
  if (link.isErr()) {
    const status = link.error.kind === "NotFound" ? 404 : link.error.kind === "Conflict" ? 409 : 502;
    return answer(
      status,
      `daytona-kit: no preview of port ${port} of sandbox ${parsed.id}: ${link.error.message}`,
    );
  }

  const headers = withoutHopByHop(request.headers);
  headers.set("x-daytona-preview-token", link.value.token);
  const timeoutMs = options.headersTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const hasBody = request.body !== null && request.method !== "GET" && request.method !== "HEAD";
  try {
    const upstream = await fetch(`${link.value.url.replace(/\/$/, "")}${parsed.rest}${url.search}`, {
      method: request.method,
      headers,
      redirect: "manual",
      signal: controller.signal,
      ...(hasBody ? { body: request.body, duplex: "half" } : {}),
    } as RequestInit);
    const out = withoutHopByHop(upstream.headers);
    // fetch already decoded a compressed body: its length and encoding no longer describe what is sent on.
    if (out.has("content-encoding")) {
      out.delete("content-encoding");
      out.delete("content-length");
    }
    return new Response(upstream.body, {
      status: upstream.status,
      statusText: upstream.statusText,
      headers: out,
    });
  } catch (error) {
    if (controller.signal.aborted) {
      return answer(
        504,
        `daytona-kit: port ${port} of sandbox ${parsed.id} did not answer within ${timeoutMs} ms`,
      );
    }
    const reason =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return answer(
      502,
      `daytona-kit: nothing answers on port ${port} of sandbox ${parsed.id} (is a server listening there?): ${reason}`,
    );
  } finally {
    clearTimeout(timer);
  }
}
