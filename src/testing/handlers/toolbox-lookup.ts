import { proxyError } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import { isRefusal, toolboxRule } from "../lifecycle-rules.js";
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
  const box = toolboxRule(ctx.state.sandboxes.get(id), id);
  if (isRefusal(box)) return proxyError(box.status, box.message, input.request);
  touch(box);
  return box;
}
