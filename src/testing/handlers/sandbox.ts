import { HttpResponse, type RequestHandler } from "msw";
import { apiError } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import { deleteRule, isRefusal, missingSandbox, startRule, stopRule } from "../lifecycle-rules.js";
import type { PortPreviewUrl, Sandbox, SandboxLabels, ToolboxProxyUrl } from "../models.js";
import { defineRoute, type RouteInput } from "../pipeline.js";
import { toDto, touch } from "../state.js";
import type { SandboxRecord } from "../types.js";
import { createSandbox, isStringRecord } from "./create-sandbox.js";
import { listSandboxes } from "./list-sandboxes.js";

/** The toolbox proxy URL a DTO carries: `""` when the emulator is told not to serve it. */
export function servedToolboxUrl(ctx: EmulatorContext): string {
  return ctx.options.includeToolboxProxyUrl ? ctx.options.toolboxUrl : "";
}

/** The control-plane routes (`{apiUrl}/sandbox…`). */
export function sandboxHandlers(ctx: EmulatorContext): RequestHandler[] {
  const api = ctx.options.apiUrl;
  const dto = (box: SandboxRecord): Sandbox => toDto(box, servedToolboxUrl(ctx));
  const json = (box: SandboxRecord, override: Partial<Sandbox> = {}) =>
    HttpResponse.json<Sandbox>({ ...dto(box), ...override });

  /** The sandbox named by `:id` (id or name), or the API's 404. */
  const lookup = (input: RouteInput): SandboxRecord | Response => {
    const id = String(input.params.id);
    const found = ctx.state.find(id);
    if (found) return found;
    const missing = missingSandbox(id);
    return apiError(missing.status, missing.message, input.request);
  };

  return [
    defineRoute(ctx, "POST /sandbox", "post", `${api}/sandbox`, (input) => createSandbox(ctx, input, dto)),

    defineRoute(ctx, "GET /sandbox", "get", `${api}/sandbox`, async (input) => {
      await ctx.backend.sync?.();
      return listSandboxes(ctx, input, servedToolboxUrl(ctx));
    }),

    defineRoute(ctx, "GET /sandbox/:id", "get", `${api}/sandbox/:id`, async (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      const failure = await ctx.backend.onGet(box);
      if (failure) return apiError(failure.status, failure.message, input.request);
      return json(box);
    }),

    // The rules (lifecycle-rules.ts) are shared with the memory driver, so both refuse the same calls.
    defineRoute(ctx, "POST /sandbox/:id/start", "post", `${api}/sandbox/:id/start`, async (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      const rule = startRule(box);
      if (isRefusal(rule)) return apiError(rule.status, rule.message, input.request);
      if (rule === "noop") return json(box);
      const failure = await ctx.backend.start(box);
      if (failure) return apiError(failure.status, failure.message, input.request);
      return json(box);
    }),

    // `?force=` is accepted and ignored, as the SDK always sends it.
    defineRoute(ctx, "POST /sandbox/:id/stop", "post", `${api}/sandbox/:id/stop`, async (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      const rule = stopRule(box);
      if (isRefusal(rule)) return apiError(rule.status, rule.message, input.request);
      box.sessions.clear();
      touch(box);
      // An ephemeral sandbox is deleted by its stop.
      const failure = await (rule === "destroy" ? ctx.backend.destroy(box) : ctx.backend.stop(box));
      if (failure) return apiError(failure.status, failure.message, input.request);
      if (rule === "destroy") return json(box, { state: "destroying" });
      // The API answers while the runner is still stopping; the next GET reports `stopped`.
      return json(box, { state: "stopping", desiredState: "stopped" });
    }),

    defineRoute(ctx, "DELETE /sandbox/:id", "delete", `${api}/sandbox/:id`, async (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      const rule = deleteRule(box);
      if (isRefusal(rule)) return apiError(rule.status, rule.message, input.request);
      const failure = await ctx.backend.destroy(box);
      if (failure) return apiError(failure.status, failure.message, input.request);
      box.sessions.clear();
      // Answered as `destroying`; afterwards the API hides the sandbox: GET → 404, list skips it.
      return json(box, { state: "destroying" });
    }),

    defineRoute(ctx, "PUT /sandbox/:id/labels", "put", `${api}/sandbox/:id/labels`, async (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      const body = (await input.request.json().catch(() => undefined)) as { labels?: unknown } | undefined;
      if (!isStringRecord(body?.labels))
        return apiError(400, "labels must be an object of strings", input.request);
      const failure = await ctx.backend.setLabels(box, body.labels);
      if (failure) return apiError(failure.status, failure.message, input.request);
      return HttpResponse.json<SandboxLabels>({ labels: { ...box.labels } });
    }),

    defineRoute(
      ctx,
      "GET /sandbox/:id/ports/:port/preview-url",
      "get",
      `${api}/sandbox/:id/ports/:port/preview-url`,
      (input) => {
        const port = Number(input.params.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
          return apiError(400, "Invalid port", input.request);
        }
        const box = lookup(input);
        if (box instanceof Response) return box;
        const domain = new URL(ctx.options.toolboxUrl).host;
        return HttpResponse.json<PortPreviewUrl>({
          sandboxId: box.id,
          url: ctx.options.previewUrl?.(box.id, port) ?? `https://${port}-${box.id}.${domain}`,
          token: box.previewToken,
        });
      },
    ),

    defineRoute(
      ctx,
      "GET /sandbox/:id/toolbox-proxy-url",
      "get",
      `${api}/sandbox/:id/toolbox-proxy-url`,
      (input) => {
        const box = lookup(input);
        if (box instanceof Response) return box;
        return HttpResponse.json<ToolboxProxyUrl>({ url: ctx.options.toolboxUrl });
      },
    ),
  ];
}
