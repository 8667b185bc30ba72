/**
 * Stable identifiers for every HTTP route the emulator serves. Tests use them to inject faults, count round
 * trips and read concurrency; they name the route shape, never a concrete id.
 */
export const EMULATOR_ROUTES = [
  "POST /sandbox",
  "GET /sandbox",
  "GET /sandbox/:id",
  "POST /sandbox/:id/start",
  "POST /sandbox/:id/stop",
  "DELETE /sandbox/:id",
  "PUT /sandbox/:id/labels",
  "GET /sandbox/:id/ports/:port/preview-url",
  "GET /sandbox/:id/toolbox-proxy-url",
  "POST /snapshots",
  "GET /snapshots",
  "GET /snapshots/:id",
  "DELETE /snapshots/:id",
  "GET /snapshots/:id/build-logs-url",
  "GET /snapshots/:id/build-logs",
  "GET /socket.io",
  "POST /toolbox/files/bulk-upload",
  "POST /toolbox/files/bulk-download",
  "GET /toolbox/files",
  "GET /toolbox/files/info",
  "POST /toolbox/files/folder",
  "DELETE /toolbox/files",
  "POST /toolbox/files/move",
  "POST /toolbox/process/execute",
  "GET /toolbox/process/session",
  "POST /toolbox/process/session",
  "GET /toolbox/process/session/:sessionId",
  "DELETE /toolbox/process/session/:sessionId",
  "POST /toolbox/process/session/:sessionId/exec",
  "GET /toolbox/process/session/:sessionId/command/:commandId",
  "GET /toolbox/process/session/:sessionId/command/:commandId/logs",
] as const;

/**
 * A route id such as `"POST /sandbox"` or `"POST /toolbox/process/execute"`.
 *
 * @example
 * emulator.count("GET /sandbox/:id"); // how many state polls the SDK made
 */
export type EmulatorRoute = (typeof EMULATOR_ROUTES)[number];

/** True when `value` names a route the emulator serves. */
export function isEmulatorRoute(value: string): value is EmulatorRoute {
  return (EMULATOR_ROUTES as readonly string[]).includes(value);
}
