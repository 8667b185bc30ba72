/**
 * The session routes (`/toolbox/:id/process/session…`) answered by {@link DriverSessions} on a driver's real
 * sandboxes, with the same bodies and status codes as the in-memory sessions (`handlers/process.ts`).
 * @module
 */
import { HttpResponse } from "msw";
import type { SandboxDriver } from "../../driver/types.js";
import type { KitError } from "../../errors.js";
import { daemonError, daemonErrorBody } from "../bodies.js";
import type {
  Command,
  Session,
  SessionCommandLogsResponse,
  SessionExecuteAccepted,
  SessionExecuteResponse,
} from "../models.js";
import type { RouteInput } from "../pipeline.js";
import type { SandboxRecord } from "../types.js";
import {
  createDriverSessions,
  type DriverSessions,
  type DriverSessionsOptions,
  type SessionCommandView,
  type SessionView,
} from "./driver-sessions.js";
import type { SessionRoute, SessionRoutes } from "./toolbox-backend.js";

const commandDto = ({ id, command, exitCode }: SessionCommandView): Command =>
  exitCode === undefined ? { id, command } : { id, command, exitCode };
const sessionDto = (view: SessionView): Session => ({
  sessionId: view.sessionId,
  commands: view.commands.map(commandDto),
});

/** A driver's failure as the daemon would answer it. */
function failure(error: KitError, request: Request): Response {
  const resource = (error as { resource?: string }).resource;
  if (error.kind === "NotFound" && resource === "session") {
    return daemonError(404, "not found: session not found", "NOT_FOUND", request);
  }
  if (error.kind === "NotFound" && resource === "command") {
    return daemonError(404, "not found: command not found", "NOT_FOUND", request);
  }
  if (error.kind === "NotFound") return daemonError(404, `not found: ${error.message}`, "NOT_FOUND", request);
  if (error.kind === "Conflict")
    return daemonError(409, "conflict: session already exists", "CONFLICT", request);
  if (error.kind === "Timeout") {
    return daemonError(408, "command execution timeout", "REQUEST_TIMEOUT", request);
  }
  const body = {
    ...daemonErrorBody(500, error.message, "BAD_REQUEST", request),
    code: "INTERNAL_SERVER_ERROR",
  };
  return HttpResponse.json(body, { status: 500 });
}

const jsonBody = async (request: Request) =>
  (await request.json().catch(() => undefined)) as Record<string, unknown> | undefined;

/**
 * {@link SessionRoutes} over `driver`'s sandboxes (the record's id is the driver's sandbox id): real shells, `cd` and
 * `export` carrying over, asynchronous commands in the background (see `driver-sessions.ts`). `sessions` may be
 * passed to share one {@link DriverSessions} (and its per-session ordering) with other users.
 */
export function driverSessionRoutes(
  driver: SandboxDriver,
  options: DriverSessionsOptions = {},
  sessions: DriverSessions = createDriverSessions(driver, options),
): SessionRoutes {
  return async (route: SessionRoute, input: RouteInput, box: SandboxRecord): Promise<Response> => {
    const { request } = input;
    const sessionId = String(input.params.sessionId);
    const commandId = String(input.params.commandId);
    switch (route) {
      case "GET /toolbox/process/session": {
        const listed = await sessions.list(box.id);
        return listed.isErr()
          ? failure(listed.error, request)
          : HttpResponse.json<Session[]>(listed.value.map(sessionDto));
      }
      case "POST /toolbox/process/session": {
        const id = (await jsonBody(request))?.sessionId;
        if (typeof id !== "string" || id === "") {
          return daemonError(
            400,
            "invalid body request: sessionId is required",
            "INVALID_REQUEST_BODY",
            request,
          );
        }
        const created = await sessions.create(box.id, id);
        return created.isErr() ? failure(created.error, request) : new HttpResponse(null, { status: 201 });
      }
      case "GET /toolbox/process/session/:sessionId": {
        const found = await sessions.get(box.id, sessionId);
        return found.isErr()
          ? failure(found.error, request)
          : HttpResponse.json<Session>(sessionDto(found.value));
      }
      case "DELETE /toolbox/process/session/:sessionId": {
        const deleted = await sessions.delete(box.id, sessionId);
        return deleted.isErr() ? failure(deleted.error, request) : new HttpResponse(null, { status: 204 });
      }
      case "POST /toolbox/process/session/:sessionId/exec": {
        const body = await jsonBody(request);
        if (typeof body?.command !== "string") {
          return daemonError(400, "invalid request body: command is required", "BAD_REQUEST", request);
        }
        if (body.command.trim() === "")
          return daemonError(400, "command cannot be empty", "BAD_REQUEST", request);
        const runAsync = body.runAsync === true || body.async === true;
        const ran = await sessions.execute(box.id, sessionId, { command: body.command, runAsync });
        if (ran.isErr()) return failure(ran.error, request);
        const result = ran.value;
        if (result.async) {
          return HttpResponse.json<SessionExecuteAccepted>({ cmdId: result.cmdId }, { status: 202 });
        }
        return HttpResponse.json<SessionExecuteResponse>({
          cmdId: result.cmdId,
          output: result.output,
          stdout: result.stdout,
          stderr: result.stderr,
          exitCode: result.exitCode,
        });
      }
      case "GET /toolbox/process/session/:sessionId/command/:commandId": {
        const found = await sessions.command(box.id, sessionId, commandId);
        return found.isErr()
          ? failure(found.error, request)
          : HttpResponse.json<Command>(commandDto(found.value));
      }
      case "GET /toolbox/process/session/:sessionId/command/:commandId/logs": {
        const logs = await sessions.logs(box.id, sessionId, commandId);
        return logs.isErr()
          ? failure(logs.error, request)
          : HttpResponse.json<SessionCommandLogsResponse>({ ...logs.value });
      }
      default:
        return daemonError(404, `not found: ${String(route)}`, "NOT_FOUND", request);
    }
  };
}
