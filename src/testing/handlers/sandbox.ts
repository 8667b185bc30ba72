import { HttpResponse, type RequestHandler } from "msw";
import { apiError } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import { defineRoute, type RouteInput } from "../pipeline.js";
import { advanceOnPoll, applyState, beginTransition, newPreviewToken, toDto } from "../state.js";
import type { SandboxRecord } from "../types.js";

/** The control-plane routes (`{apiUrl}/sandbox…`). */
export function sandboxHandlers(ctx: EmulatorContext): RequestHandler[] {
  const api = ctx.options.apiUrl;
  const dto = (box: SandboxRecord) =>
    toDto(box, ctx.options.includeToolboxProxyUrl ? ctx.options.toolboxUrl : undefined);

  /** The sandbox named by `:id` (id or name), or the API's 404. */
  const lookup = (input: RouteInput): SandboxRecord | Response => {
    const id = String(input.params.id);
    return ctx.state.find(id) ?? apiError(404, `Sandbox with ID or name ${id} not found`, input.request);
  };

  return [
    defineRoute(ctx, "POST /sandbox", "post", `${api}/sandbox`, (input) => createSandbox(ctx, input, dto)),

    defineRoute(ctx, "GET /sandbox", "get", `${api}/sandbox`, (input) => listSandboxes(ctx, input, dto)),

    defineRoute(ctx, "GET /sandbox/:id", "get", `${api}/sandbox/:id`, (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      advanceOnPoll(box);
      return HttpResponse.json(dto(box));
    }),

    defineRoute(ctx, "POST /sandbox/:id/start", "post", `${api}/sandbox/:id/start`, (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      if (box.pending) return apiError(400, "State change in progress", input.request);
      if (box.state === "started") return HttpResponse.json(dto(box));
      if (!["stopped", "archived", "archiving"].includes(box.state)) {
        return apiError(400, "Sandbox is not in valid state", input.request);
      }
      box.previewToken = newPreviewToken();
      beginTransition(box, "starting", "started", ctx.options.pollsUntilStarted);
      return HttpResponse.json(dto(box));
    }),

    // `?force=` is accepted and ignored, as the SDK always sends it.
    defineRoute(ctx, "POST /sandbox/:id/stop", "post", `${api}/sandbox/:id/stop`, (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      if (box.pending) return apiError(400, "State change in progress", input.request);
      if (box.state !== "started") return apiError(400, "Sandbox is not started", input.request);
      applyState(box, "stopped");
      box.sessions.clear();
      // The API answers while the runner is still stopping; the next GET reports `stopped`.
      return HttpResponse.json({ ...dto(box), state: "stopping" });
    }),

    defineRoute(ctx, "DELETE /sandbox/:id", "delete", `${api}/sandbox/:id`, (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      applyState(box, "destroyed");
      box.sessions.clear();
      // Answered as `destroying`; afterwards the API hides the sandbox: GET → 404, list skips it.
      return HttpResponse.json({ ...dto(box), state: "destroying" });
    }),

    defineRoute(ctx, "PUT /sandbox/:id/labels", "put", `${api}/sandbox/:id/labels`, async (input) => {
      const box = lookup(input);
      if (box instanceof Response) return box;
      const body = (await input.request.json().catch(() => undefined)) as { labels?: unknown } | undefined;
      if (!isStringRecord(body?.labels))
        return apiError(400, "labels must be an object of strings", input.request);
      box.labels = { ...body.labels };
      box.updatedAt = new Date().toISOString();
      return HttpResponse.json(dto(box));
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
        return HttpResponse.json({
          sandboxId: box.id,
          url: `https://${port}-${box.id}.${domain}`,
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
        return HttpResponse.json({ url: ctx.options.toolboxUrl });
      },
    ),
  ];
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string")
  );
}

const numberOr = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);

/** `POST /sandbox`: region checks, snapshot check, name conflict, then the record and its state transition. */
async function createSandbox(
  ctx: EmulatorContext,
  { request }: RouteInput,
  dto: (box: SandboxRecord) => Record<string, unknown>,
): Promise<Response> {
  const body = (await request.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!body || typeof body !== "object") return apiError(400, "Invalid request body", request);
  const { knownRegions, availableRegions } = ctx.options;

  const requested = typeof body.target === "string" ? body.target.trim() : "";
  const target = requested || availableRegions[0];
  if (target === undefined) {
    return apiError(
      400,
      "This organization does not have a default region. Please open the Daytona Dashboard to set a default region.",
      request,
    );
  }
  if (!knownRegions.includes(target)) return apiError(404, "Region not found", request);
  if (!availableRegions.includes(target)) {
    const suffix = ctx.options.legacyRegionMessage ? "" : " for class container";
    return apiError(403, `Region ${target} is not available to the organization${suffix}`, request);
  }

  const snapshot = typeof body.snapshot === "string" ? body.snapshot : undefined;
  if (
    snapshot !== undefined &&
    ctx.options.knownSnapshots &&
    !ctx.options.knownSnapshots.includes(snapshot)
  ) {
    return apiError(
      400,
      `Snapshot ${snapshot} not found. Did you add it through the Daytona Dashboard?`,
      request,
    );
  }

  const name = typeof body.name === "string" && body.name !== "" ? body.name : undefined;
  if (name !== undefined && ctx.state.live().some((b) => b.name === name)) {
    return apiError(409, `Sandbox with name ${name} already exists`, request);
  }

  const buildInfo = body.buildInfo as { dockerfileContent?: unknown } | undefined;
  const box = ctx.state.add({
    ...(name !== undefined ? { name } : {}),
    state: "creating",
    target,
    labels: isStringRecord(body.labels) ? body.labels : {},
    env: isStringRecord(body.env) ? body.env : {},
    ...(snapshot !== undefined ? { snapshot } : {}),
    public: body.public === true,
    cpu: numberOr(body.cpu, 1),
    memory: numberOr(body.memory, 1),
    disk: numberOr(body.disk, 3),
    createBody: body,
    ...(typeof buildInfo?.dockerfileContent === "string"
      ? { dockerfileContent: buildInfo.dockerfileContent }
      : {}),
  });
  box.autoStopInterval = numberOr(body.autoStopInterval, 15);
  box.autoArchiveInterval = numberOr(body.autoArchiveInterval, 10080);
  box.autoDeleteInterval = numberOr(body.autoDeleteInterval, -1);

  const override = ctx.createOverrides.shift();
  const polls = override?.stuck
    ? Number.POSITIVE_INFINITY
    : (override?.polls ?? ctx.options.pollsUntilStarted);
  beginTransition(
    box,
    "creating",
    override?.finalState ?? "started",
    polls,
    override?.errorReason,
    override?.recoverable,
  );
  return HttpResponse.json(dto(box));
}

/** `GET /sandbox`: labels (JSON, ANDed), states, id and name filters, cursor pagination. */
function listSandboxes(
  ctx: EmulatorContext,
  { request, url }: RouteInput,
  dto: (box: SandboxRecord) => Record<string, unknown>,
): Response {
  const query = url.searchParams;
  let labels: Record<string, string> = {};
  const rawLabels = query.get("labels");
  if (rawLabels !== null) {
    try {
      const parsed: unknown = JSON.parse(rawLabels);
      if (!isStringRecord(parsed)) throw new Error("not a record");
      labels = parsed;
    } catch {
      return apiError(400, "Invalid labels filter: expected a JSON object of strings", request);
    }
  }
  const states = query.getAll("states");
  const id = query.get("id");
  const name = query.get("name");
  const matches = ctx.state
    .live()
    .filter(
      (box) =>
        Object.entries(labels).every(([k, v]) => box.labels[k] === v) &&
        (states.length === 0 || states.includes(box.state)) &&
        (id === null || box.id.startsWith(id)) &&
        (name === null || box.name.toLowerCase().includes(name.toLowerCase())),
    );

  const limit = Number(query.get("limit") ?? ctx.options.listPageSize);
  const pageSize = Number.isInteger(limit) && limit > 0 ? limit : ctx.options.listPageSize;
  const cursor = query.get("cursor");
  const offset = cursor === null ? 0 : decodeCursor(cursor);
  if (offset === undefined) return apiError(400, "Invalid cursor", request);
  const page = matches.slice(offset, offset + pageSize);
  const nextOffset = offset + page.length;
  return HttpResponse.json({
    items: page.map(dto),
    total: matches.length,
    nextCursor: nextOffset < matches.length ? encodeCursor(nextOffset) : null,
  });
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match ? Number(match[1]) : undefined;
}
