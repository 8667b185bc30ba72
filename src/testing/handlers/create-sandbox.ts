import { HttpResponse } from "msw";
import { isApiFailure } from "../backend/toolbox-backend.js";
import { apiError } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import type { Sandbox } from "../models.js";
import type { RouteInput } from "../pipeline.js";
import type { SandboxRecord } from "../types.js";

/** Resources of Daytona Cloud's pre-built snapshots (vCPU, GiB memory, GiB disk); other snapshots get the smallest. */
const SNAPSHOT_RESOURCES: Record<string, { cpu: number; memory: number; disk: number }> = {
  "daytona-small": { cpu: 1, memory: 1, disk: 3 },
  "daytona-medium": { cpu: 2, memory: 4, disk: 8 },
  "daytona-large": { cpu: 4, memory: 8, disk: 10 },
};

/** True for a plain object whose values are all strings. */
export function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string")
  );
}

const numberOr = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);
const stringOr = (value: unknown) => (typeof value === "string" ? value : undefined);

/** The create body's `volumes`, keeping well-formed entries only. */
function volumesOf(value: unknown): SandboxRecord["volumes"] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown) => {
    const entry = v as { volumeId?: unknown; mountPath?: unknown; subpath?: unknown } | null;
    if (typeof entry?.volumeId !== "string" || typeof entry.mountPath !== "string") return [];
    return [
      {
        volumeId: entry.volumeId,
        mountPath: entry.mountPath,
        ...(typeof entry.subpath === "string" ? { subpath: entry.subpath } : {}),
      },
    ];
  });
}

/** The controller's checks of a create body, in upstream's order; the 400 message or `undefined`. */
function refusal(body: Record<string, unknown>): string | undefined {
  if (body.buildInfo !== undefined && body.buildInfo !== null) {
    if (body.snapshot) return "Cannot specify a snapshot when using a build info entry";
    if (body.linkedSandbox) {
      return "linkedSandbox is not supported with declarative builds. Create a sandbox from a snapshot";
    }
    return undefined;
  }
  if (body.cpu || body.gpu || body.memory || body.disk) {
    return "Cannot specify Sandbox resources when using a snapshot";
  }
  if (Array.isArray(body.gpuType) && body.gpuType.length > 0) {
    return "Cannot specify GPU type when creating sandbox from snapshot. GPU type is inherited from snapshot.";
  }
  return undefined;
}

/**
 * `POST /sandbox`: the controller's checks, the region, the snapshot (the back end's choice), the name, the linked
 * sandbox; then the back end makes the sandbox and its record.
 */
export async function createSandbox(
  ctx: EmulatorContext,
  { request }: RouteInput,
  dto: (box: SandboxRecord) => Sandbox,
): Promise<Response> {
  const body = (await request.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return apiError(400, "Invalid request body", request);
  }
  const refused = refusal(body);
  if (refused) return apiError(400, refused, request);

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

  const buildInfo = body.buildInfo as { dockerfileContent?: unknown; contextHashes?: unknown } | undefined;
  const fromImage = buildInfo !== undefined && buildInfo !== null;
  const chosen = ctx.backend.chooseImage(body, fromImage);
  if (isApiFailure(chosen)) return apiError(chosen.status, chosen.message, request);
  const { snapshot } = chosen;

  const name = typeof body.name === "string" && body.name !== "" ? body.name : undefined;
  if (name !== undefined && ctx.state.live().some((b) => b.name === name)) {
    return apiError(409, `Sandbox with name ${name} already exists`, request);
  }

  const autoDeleteInterval = numberOr(body.autoDeleteInterval, -1);
  const linked = stringOr(body.linkedSandbox);
  if (linked && autoDeleteInterval !== 0) {
    return apiError(400, "Linked sandboxes must be ephemeral (set autoDeleteInterval to 0)", request);
  }
  const linkedBox = linked ? ctx.state.find(linked) : undefined;
  if (linked && !linkedBox) return apiError(404, `Sandbox with ID or name ${linked} not found`, request);

  const resources = fromImage
    ? {
        cpu: numberOr(body.cpu, 1) || 1,
        memory: numberOr(body.memory, 1) || 1,
        disk: numberOr(body.disk, 3) || 3,
      }
    : (SNAPSHOT_RESOURCES[snapshot as string] ?? { cpu: 1, memory: 1, disk: 3 });
  const dockerfile =
    typeof buildInfo?.dockerfileContent === "string" ? buildInfo.dockerfileContent : undefined;
  const contextHashes = Array.isArray(buildInfo?.contextHashes)
    ? buildInfo.contextHashes.filter((h): h is string => typeof h === "string")
    : [];
  const made = await ctx.backend.create({
    ...(name !== undefined ? { name } : {}),
    target,
    labels: isStringRecord(body.labels) ? body.labels : {},
    env: isStringRecord(body.env) ? body.env : {},
    ...(snapshot !== undefined ? { snapshot } : {}),
    public: body.public === true,
    ...resources,
    createBody: body,
    ...(fromImage ? { dockerfileContent: dockerfile ?? "", contextHashes } : {}),
    networkBlockAll: body.networkBlockAll === true,
    ...(typeof body.networkAllowList === "string" ? { networkAllowList: body.networkAllowList } : {}),
    ...(typeof body.domainAllowList === "string" ? { domainAllowList: body.domainAllowList } : {}),
    ...(linkedBox ? { linkedSandboxId: linkedBox.id } : {}),
    volumes: volumesOf(body.volumes),
    autoDeleteInterval,
  });
  if (isApiFailure(made)) return apiError(made.status, made.message, request);
  const box = made;
  box.autoStopInterval = numberOr(body.autoStopInterval, 15);
  box.autoArchiveInterval = numberOr(body.autoArchiveInterval, 10080);

  return HttpResponse.json<Sandbox>(dto(box));
}
