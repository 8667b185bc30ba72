import { proxyError } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import type { RouteInput } from "../pipeline.js";
import { touch } from "../state.js";
import type { SandboxRecord } from "../types.js";

/**
 * The sandbox a toolbox request targets (`{toolboxUrl}/:sandboxId/…`), or the proxy's refusal: 404 for an
 * unknown or destroyed sandbox, 400 "Sandbox is not running" for one that is not `started` (the toolbox daemon
 * only runs inside a started sandbox). A request that reaches the daemon counts as activity (`lastActivityAt`).
 */
export function toolboxSandbox(ctx: EmulatorContext, input: RouteInput): SandboxRecord | Response {
  const id = String(input.params.sandboxId);
  const box = ctx.state.sandboxes.get(id);
  if (!box || box.state === "destroyed") {
    return proxyError(404, `Sandbox with ID ${id} not found`, input.request);
  }
  if (box.state !== "started") {
    return proxyError(400, `Sandbox is not running (state: ${box.state})`, input.request);
  }
  touch(box);
  return box;
}
