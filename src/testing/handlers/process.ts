import { randomUUID } from "node:crypto";
import { HttpResponse, type RequestHandler } from "msw";
import type { SessionRoute } from "../backend/toolbox-backend.js";
import { daemonError } from "../bodies.js";
import { runCommand } from "../commands.js";
import type { EmulatorContext } from "../context.js";
import { HOME_DIR, isFsFailure } from "../fs-state.js";
import type {
  Command,
  ExecuteResponse,
  Session,
  SessionCommandLogsResponse,
  SessionExecuteAccepted,
  SessionExecuteResponse,
} from "../models.js";
import { defineRoute, type RouteInput } from "../pipeline.js";
import type { SandboxRecord, SessionCommandRecord, SessionRecord } from "../types.js";
import { toolboxSandbox } from "./toolbox-lookup.js";

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

const commandDto = ({ id, command, exitCode }: SessionCommandRecord): Command =>
  exitCode === undefined ? { id, command } : { id, command, exitCode };

const sessionDto = (session: SessionRecord): Session => ({
  sessionId: session.sessionId,
  commands: session.commands.map(commandDto),
});

/** The toolbox process routes: `process/execute` and sessions. */
export function processHandlers(ctx: EmulatorContext): RequestHandler[] {
  const base = `${ctx.options.toolboxUrl}/:sandboxId/process`;

  const session = (input: RouteInput): { box: SandboxRecord; session: SessionRecord } | Response => {
    const box = toolboxSandbox(ctx, input);
    if (box instanceof Response) return box;
    const found = box.sessions.get(String(input.params.sessionId));
    if (!found) return daemonError(404, "not found: session not found", "NOT_FOUND", input.request);
    return { box, session: found };
  };

  const sessionCommand = (input: RouteInput): SessionCommandRecord | Response => {
    const found = session(input);
    if (found instanceof Response) return found;
    const command = found.session.commands.find((c) => c.id === String(input.params.commandId));
    return command ?? daemonError(404, "not found: command not found", "NOT_FOUND", input.request);
  };

  /**
   * A session route: answered by the back end's own sessions when it has them (behind the same proxy checks), else
   * by the in-memory sessions of the record.
   */
  const sessionRoute = (
    id: SessionRoute,
    method: "get" | "post" | "delete",
    url: string,
    inMemory: (input: RouteInput) => Response | Promise<Response>,
  ) =>
    defineRoute(ctx, id, method, url, (input) => {
      const sessions = ctx.backend.sessions;
      if (sessions === undefined) return inMemory(input);
      const box = toolboxSandbox(ctx, input);
      return box instanceof Response ? box : sessions(id, input, box);
    });

  return [
    defineRoute(ctx, "POST /toolbox/process/execute", "post", `${base}/execute`, async (input) => {
      const box = toolboxSandbox(ctx, input);
      if (box instanceof Response) return box;
      const body = (await input.request.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      if (typeof body?.command !== "string") {
        return daemonError(400, "invalid body request: command is required", "BAD_REQUEST", input.request);
      }
      if (body.command.trim() === "") {
        return daemonError(
          400,
          "bad request: command cannot be empty or whitespace-only",
          "BAD_REQUEST",
          input.request,
        );
      }
      const outcome = await ctx.backend.execute(box, {
        command: body.command,
        cwd: typeof body.cwd === "string" ? body.cwd : undefined,
        env: stringRecord(body.envs),
        timeoutSeconds: typeof body.timeout === "number" ? body.timeout : undefined,
      });
      if (isFsFailure(outcome)) {
        return daemonError(outcome.status, outcome.message, outcome.code, input.request);
      }
      if (outcome.timedOut) {
        return daemonError(408, "command execution timeout", "REQUEST_TIMEOUT", input.request);
      }
      return HttpResponse.json<ExecuteResponse>({
        exitCode: outcome.reply.exitCode,
        result: outcome.reply.output,
      });
    }),

    sessionRoute("GET /toolbox/process/session", "get", `${base}/session`, (input) => {
      const box = toolboxSandbox(ctx, input);
      if (box instanceof Response) return box;
      return HttpResponse.json<Session[]>([...box.sessions.values()].map(sessionDto));
    }),

    sessionRoute("POST /toolbox/process/session", "post", `${base}/session`, async (input) => {
      const box = toolboxSandbox(ctx, input);
      if (box instanceof Response) return box;
      const body = (await input.request.json().catch(() => undefined)) as { sessionId?: unknown } | undefined;
      const id = body?.sessionId;
      if (typeof id !== "string" || id === "") {
        return daemonError(
          400,
          "invalid body request: sessionId is required",
          "INVALID_REQUEST_BODY",
          input.request,
        );
      }
      if (box.sessions.has(id)) {
        return daemonError(409, "conflict: session already exists", "CONFLICT", input.request);
      }
      box.sessions.set(id, { sessionId: id, commands: [], cwd: HOME_DIR, vars: {} });
      return new HttpResponse(null, { status: 201 });
    }),

    sessionRoute("GET /toolbox/process/session/:sessionId", "get", `${base}/session/:sessionId`, (input) => {
      const found = session(input);
      return found instanceof Response ? found : HttpResponse.json<Session>(sessionDto(found.session));
    }),

    sessionRoute(
      "DELETE /toolbox/process/session/:sessionId",
      "delete",
      `${base}/session/:sessionId`,
      (input) => {
        const found = session(input);
        if (found instanceof Response) return found;
        found.box.sessions.delete(found.session.sessionId);
        return new HttpResponse(null, { status: 204 });
      },
    ),

    sessionRoute(
      "POST /toolbox/process/session/:sessionId/exec",
      "post",
      `${base}/session/:sessionId/exec`,
      async (input) => {
        const found = session(input);
        if (found instanceof Response) return found;
        const body = (await input.request.json().catch(() => undefined)) as
          | Record<string, unknown>
          | undefined;
        if (typeof body?.command !== "string") {
          return daemonError(400, "invalid request body: command is required", "BAD_REQUEST", input.request);
        }
        if (body.command.trim() === "") {
          return daemonError(400, "command cannot be empty", "BAD_REQUEST", input.request);
        }
        const outcome = await runCommand(ctx, found.box, {
          command: body.command,
          cwd: undefined,
          env: {},
          timeoutSeconds: undefined,
          sessionId: found.session.sessionId,
          session: found.session,
        });
        const { reply } = outcome;
        const record: SessionCommandRecord = {
          id: randomUUID(),
          command: body.command,
          exitCode: reply.exitCode,
          stdout: reply.stdout,
          stderr: reply.stderr,
          output: reply.output,
        };
        found.session.commands.push(record);
        if (body.runAsync === true || body.async === true) {
          return HttpResponse.json<SessionExecuteAccepted>({ cmdId: record.id }, { status: 202 });
        }
        return HttpResponse.json<SessionExecuteResponse>({
          cmdId: record.id,
          output: reply.output,
          stdout: reply.stdout,
          stderr: reply.stderr,
          exitCode: reply.exitCode,
        });
      },
    ),

    sessionRoute(
      "GET /toolbox/process/session/:sessionId/command/:commandId",
      "get",
      `${base}/session/:sessionId/command/:commandId`,
      (input) => {
        const command = sessionCommand(input);
        return command instanceof Response ? command : HttpResponse.json<Command>(commandDto(command));
      },
    ),

    sessionRoute(
      "GET /toolbox/process/session/:sessionId/command/:commandId/logs",
      "get",
      `${base}/session/:sessionId/command/:commandId/logs`,
      (input) => {
        const command = sessionCommand(input);
        if (command instanceof Response) return command;
        return HttpResponse.json<SessionCommandLogsResponse>({
          output: command.output,
          stdout: command.stdout,
          stderr: command.stderr,
        });
      },
    ),
  ];
}
