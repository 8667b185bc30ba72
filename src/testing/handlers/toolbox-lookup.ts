import { HttpResponse } from "msw";
import type { EmulatorContext } from "../context.js";
import type { RouteInput } from "../pipeline.js";
import type { SandboxRecord } from "../types.js";

/**
 * The sandbox a toolbox request targets (`{toolboxUrl}/:sandboxId/…`), or the proxy's refusal: 404 for an
 * unknown or destroyed sandbox, 400 "Sandbox is not running" for one that is not `started` (the toolbox daemon
 * only runs inside a started sandbox).
 */
export function toolboxSandbox(ctx: EmulatorContext, input: RouteInput): SandboxRecord | Response {
  const id = String(input.params.sandboxId);
  const box = ctx.state.sandboxes.get(id);
  if (!box || box.state === "destroyed") {
    return HttpResponse.json(
      { statusCode: 404, message: `Sandbox with ID ${id} not found`, error: "Not Found", code: "NOT_FOUND" },
      { status: 404 },
    );
  }
  if (box.state !== "started") {
    return HttpResponse.json(
      { statusCode: 400, message: `Sandbox is not running (state: ${box.state})`, error: "Bad Request" },
      { status: 400 },
    );
  }
  return box;
}
