import { HttpResponse, type RequestHandler } from "msw";
import { daemonError, proxyError } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import { type FsFailure, isFsFailure, resolvePath } from "../fs-state.js";
import type { FileInfo } from "../models.js";
import { buildDownloadBody, DOWNLOAD_BOUNDARY } from "../multipart.js";
import { defineRoute, type RouteInput } from "../pipeline.js";
import type { SandboxRecord } from "../types.js";
import { toolboxSandbox } from "./toolbox-lookup.js";

const fail = (failure: FsFailure, request: Request) =>
  daemonError(failure.status, failure.message, failure.code, request);

/** A required query parameter resolved to an absolute path (relative ones from `home`), or the daemon's 400. */
function queryPath(input: RouteInput, name: string, home: string): string | Response {
  const value = input.url.searchParams.get(name);
  if (value === null || value === "") {
    return daemonError(400, `${name} is required`, "BAD_REQUEST", input.request);
  }
  return resolvePath(value, home);
}

/** An empty answer with the route's success status, or the daemon's error for `failure`. */
const answer = (failure: FsFailure | undefined, request: Request, status = 200) =>
  failure ? fail(failure, request) : new HttpResponse(null, { status });

/** The toolbox file routes (`{toolboxUrl}/:sandboxId/files…`). */
export function fileHandlers(ctx: EmulatorContext): RequestHandler[] {
  const base = `${ctx.options.toolboxUrl}/:sandboxId/files`;
  const backend = ctx.backend;
  const home = backend.homeDir;
  /** Runs `act` on the sandbox and its `path` query parameter; a missing sandbox or path answers first. */
  const onPath = async (
    input: RouteInput,
    act: (box: SandboxRecord, path: string) => Promise<Response>,
  ): Promise<Response> => {
    const box = toolboxSandbox(ctx, input);
    if (box instanceof Response) return box;
    const path = queryPath(input, "path", home);
    return path instanceof Response ? path : act(box, path);
  };
  return [
    defineRoute(ctx, "POST /toolbox/files/bulk-upload", "post", `${base}/bulk-upload`, async (input) => {
      const box = toolboxSandbox(ctx, input);
      if (box instanceof Response) return box;
      const form = await input.request.formData();
      const uploads: { path: string; bytes: Uint8Array }[] = [];
      const fileParts: [string, File][] = [];
      form.forEach((value, key) => {
        if (typeof value !== "string") fileParts.push([key, value]);
      });
      for (const [key, value] of fileParts) {
        const match = /^files\[(\d+)\]\.file$/.exec(key);
        if (!match) continue;
        const path = form.get(`files[${match[1]}].path`);
        if (typeof path !== "string" || path === "") {
          return daemonError(400, `missing files[${match[1]}].path`, "BAD_REQUEST", input.request);
        }
        uploads.push({ path: resolvePath(path, home), bytes: new Uint8Array(await value.arrayBuffer()) });
      }
      const total = uploads.reduce((sum, u) => sum + u.bytes.byteLength, 0);
      if (total > ctx.options.uploadLimitBytes) {
        // Daytona Cloud refuses large uploads before the daemon sees them: the proxy's 400, no daemon source.
        return proxyError(
          400,
          `Request body too large: ${total} bytes exceeds the limit of ${ctx.options.uploadLimitBytes} bytes`,
          input.request,
        );
      }
      const failure = await backend.upload(box, uploads);
      if (failure) return fail(failure, input.request);
      return new HttpResponse(null, { status: 200 });
    }),

    defineRoute(ctx, "POST /toolbox/files/bulk-download", "post", `${base}/bulk-download`, async (input) => {
      const box = toolboxSandbox(ctx, input);
      if (box instanceof Response) return box;
      const body = (await input.request.json().catch(() => undefined)) as { paths?: unknown } | undefined;
      const paths = Array.isArray(body?.paths)
        ? body.paths.filter((p): p is string => typeof p === "string")
        : [];
      const parts = await backend.download(box, paths);
      return new HttpResponse(buildDownloadBody(parts), {
        status: 200,
        headers: { "Content-Type": `multipart/form-data; boundary=${DOWNLOAD_BOUNDARY}` },
      });
    }),

    defineRoute(ctx, "GET /toolbox/files/info", "get", `${base}/info`, (input) =>
      onPath(input, async (box, path) => {
        const info = await backend.info(box, path);
        return isFsFailure(info) ? fail(info, input.request) : HttpResponse.json<FileInfo>(info);
      }),
    ),

    // `path` defaults to the working directory (the home); `depth` (default 1, at least 1) lists deeper levels.
    defineRoute(ctx, "GET /toolbox/files", "get", base, async (input) => {
      const box = toolboxSandbox(ctx, input);
      if (box instanceof Response) return box;
      const rawDepth = input.url.searchParams.get("depth");
      const depth = rawDepth === null || rawDepth === "" ? 1 : Number(rawDepth);
      if (!/^[+-]?\d+$/.test(rawDepth ?? "1") || !Number.isInteger(depth) || depth < 1) {
        return daemonError(400, "depth must be an integer >= 1", "BAD_REQUEST", input.request);
      }
      const path = resolvePath(input.url.searchParams.get("path") || ".", home);
      const entries = await backend.list(box, path, depth);
      return isFsFailure(entries) ? fail(entries, input.request) : HttpResponse.json<FileInfo[]>(entries);
    }),

    defineRoute(ctx, "POST /toolbox/files/folder", "post", `${base}/folder`, (input) =>
      onPath(input, async (box, path) =>
        answer(
          await backend.folder(box, path, input.url.searchParams.get("mode") || "755"),
          input.request,
          201,
        ),
      ),
    ),

    defineRoute(ctx, "DELETE /toolbox/files", "delete", base, (input) =>
      onPath(input, async (box, path) =>
        answer(
          await backend.remove(box, path, input.url.searchParams.get("recursive") === "true"),
          input.request,
          204,
        ),
      ),
    ),

    defineRoute(ctx, "POST /toolbox/files/move", "post", `${base}/move`, async (input) => {
      const box = toolboxSandbox(ctx, input);
      if (box instanceof Response) return box;
      const source = queryPath(input, "source", home);
      if (source instanceof Response) return source;
      const destination = queryPath(input, "destination", home);
      if (destination instanceof Response) return destination;
      return answer(await backend.move(box, source, destination), input.request);
    }),
  ];
}
