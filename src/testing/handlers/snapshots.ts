/**
 * The snapshot routes (`{apiUrl}/snapshots…`) the SDK's `daytona.snapshot` service uses: create (a declarative
 * build's Dockerfile arrives in `buildInfo.dockerfileContent`), get by id or name, the paginated list, delete, and
 * the build log (its URL, then the whole log as one plain-text body: msw cannot hold a "follow" stream open).
 *
 * States follow Daytona: a build is `pending` when created; each GET moves it one step, to `building`, then to
 * `active` or `build_failed` (with `errorReason`). A step that the shell would fail (`RUN false`, `RUN … exit 3`)
 * fails the build; a step `sleep infinity` keeps it `building` forever (for deadline and abort tests). A taken name
 * is Daytona's 409; a name that breaks its rule is its 400.
 * @module
 */
import { randomUUID } from "node:crypto";
import { HttpResponse, type RequestHandler } from "msw";
import { apiError } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import type { PaginatedSnapshots, SnapshotDto, Url } from "../models.js";
import { defineRoute, type RouteInput } from "../pipeline.js";
import { buildLogOf, failingStep, type SnapshotRecord, snapshotNameProblem } from "../snapshot-rules.js";

/** The steps of a Dockerfile the SDK's `Image` builder wrote: its base image and its `RUN` lines. */
function parseDockerfile(text: string): { base: string; commands: string[] } {
  const lines = text.split("\n");
  const base = /^FROM\s+(\S+)/.exec(lines.find((l) => l.startsWith("FROM ")) ?? "")?.[1] ?? "";
  const commands = lines.filter((l) => l.startsWith("RUN ")).map((l) => l.slice(4));
  return { base, commands };
}

/** Whether a build never finishes in the model (a step `sleep infinity`). */
function neverEnds(commands: readonly string[]): boolean {
  return commands.some((c) => /(^|[;&|]\s*)sleep\s+infinity\s*$/.test(c.trim()));
}

function toDto(snapshot: SnapshotRecord): SnapshotDto {
  const at = new Date(snapshot.createdAt);
  return {
    id: snapshot.id,
    general: false,
    name: snapshot.name,
    imageName: snapshot.imageName,
    state: snapshot.state,
    size: snapshot.state === "active" ? 0.5 : null,
    entrypoint: null,
    cpu: 1,
    gpu: 0,
    mem: 1,
    disk: 3,
    errorReason: snapshot.errorReason,
    createdAt: at,
    updatedAt: at,
    lastUsedAt: null,
    sourceSandboxId: null,
  };
}

/** The commands each snapshot's build runs, by id (kept beside the shared record). */
const commandsOf = new WeakMap<SnapshotRecord, string[]>();

/** One step of a build, as a GET observes it: `pending` → `building` → `active` / `build_failed`. */
function advance(snapshot: SnapshotRecord): void {
  const commands = commandsOf.get(snapshot) ?? [];
  if (snapshot.state === "pending") {
    snapshot.state = "building";
    return;
  }
  if (snapshot.state !== "building" || neverEnds(commands)) return;
  const failure = failingStep(commands);
  snapshot.state = failure ? "build_failed" : "active";
  snapshot.errorReason = failure?.reason ?? null;
}

/** The snapshot routes. */
export function snapshotHandlers(ctx: EmulatorContext): RequestHandler[] {
  const api = ctx.options.apiUrl;

  const lookup = (input: RouteInput): SnapshotRecord | Response => {
    const id = String(input.params.id);
    return (
      ctx.state.findSnapshot(id) ?? apiError(404, `Snapshot with ID or name ${id} not found`, input.request)
    );
  };

  return [
    defineRoute(ctx, "POST /snapshots", "post", `${api}/snapshots`, async (input) => {
      const body = (await input.request.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      const name = body?.name;
      const problem = snapshotNameProblem(name);
      if (problem) return apiError(400, problem, input.request);
      const buildInfo = body?.buildInfo as { dockerfileContent?: unknown } | undefined;
      const imageName = typeof body?.imageName === "string" ? body.imageName : undefined;
      if (!buildInfo && !imageName)
        return apiError(400, "Must specify either imageName or buildInfo", input.request);
      if (ctx.state.findSnapshot(name as string)) {
        return apiError(
          409,
          `Snapshot with name "${name}" already exists for this organization`,
          input.request,
        );
      }
      const dockerfile = typeof buildInfo?.dockerfileContent === "string" ? buildInfo.dockerfileContent : "";
      const { base, commands } = buildInfo
        ? parseDockerfile(dockerfile)
        : { base: imageName ?? "", commands: [] };
      const snapshot: SnapshotRecord = {
        id: randomUUID(),
        name: name as string,
        imageName: buildInfo ? `daytonaio/build:${randomUUID().slice(0, 8)}` : (imageName as string),
        state: "pending",
        errorReason: null,
        buildLog: buildLogOf(base, commands),
        createdAt: new Date(ctx.options.clock.now()).toISOString(),
      };
      commandsOf.set(snapshot, commands);
      ctx.state.snapshots.set(snapshot.id, snapshot);
      return HttpResponse.json<SnapshotDto>(toDto(snapshot));
    }),

    defineRoute(ctx, "GET /snapshots", "get", `${api}/snapshots`, (input) => {
      const page = Math.max(1, Math.floor(Number(input.url.searchParams.get("page") ?? 1)) || 1);
      const limit = Math.min(
        200,
        Math.max(1, Math.floor(Number(input.url.searchParams.get("limit") ?? 100)) || 100),
      );
      const all = [...ctx.state.snapshots.values()];
      const items = all.slice((page - 1) * limit, page * limit).map(toDto);
      return HttpResponse.json<PaginatedSnapshots>({
        items,
        total: all.length,
        page,
        totalPages: Math.max(1, Math.ceil(all.length / limit)),
      });
    }),

    defineRoute(ctx, "GET /snapshots/:id", "get", `${api}/snapshots/:id`, (input) => {
      const snapshot = lookup(input);
      if (snapshot instanceof Response) return snapshot;
      advance(snapshot);
      return HttpResponse.json<SnapshotDto>(toDto(snapshot));
    }),

    defineRoute(ctx, "DELETE /snapshots/:id", "delete", `${api}/snapshots/:id`, (input) => {
      const snapshot = lookup(input);
      if (snapshot instanceof Response) return snapshot;
      ctx.state.snapshots.delete(snapshot.id);
      return new HttpResponse(null, { status: 200 });
    }),

    defineRoute(
      ctx,
      "GET /snapshots/:id/build-logs-url",
      "get",
      `${api}/snapshots/:id/build-logs-url`,
      (input) => {
        const snapshot = lookup(input);
        if (snapshot instanceof Response) return snapshot;
        return HttpResponse.json<Url>({ url: `${api}/snapshots/${snapshot.id}/build-logs` });
      },
    ),

    defineRoute(ctx, "GET /snapshots/:id/build-logs", "get", `${api}/snapshots/:id/build-logs`, (input) => {
      const snapshot = lookup(input);
      if (snapshot instanceof Response) return snapshot;
      // The whole log at once: msw cannot hold a "follow" stream open, and the SDK reads it only once.
      const lines = snapshot.buildLog;
      return new HttpResponse(`${lines.join("\n")}\n`, { headers: { "content-type": "text/plain" } });
    }),
  ];
}
