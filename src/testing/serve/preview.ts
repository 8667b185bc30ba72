import type { EmulatorState } from "../state.js";

/** The path prefix of preview URLs the local server hands out: `/preview/<sandbox id>/<port>/…`. */
export const PREVIEW_PREFIX = "/preview/";

/** The preview URL of a sandbox's port, on the server's own origin. */
export function previewUrlOn(origin: string): (sandboxId: string, port: number) => string {
  return (sandboxId, port) => `${origin}${PREVIEW_PREFIX}${encodeURIComponent(sandboxId)}/${port}/`;
}

const answer = (status: number, message: string) =>
  Response.json({ statusCode: status, message }, { status });

/**
 * Answers a request to a preview URL. The in-memory back end runs no processes, so nothing ever listens on a
 * sandbox's port: a live sandbox answers 502 (what a proxy says when nothing listens upstream), an unknown one 404.
 * Other paths: `undefined` (the route table answers them).
 */
export function answerPreview(state: EmulatorState, request: Request): Response | undefined {
  const { pathname } = new URL(request.url);
  if (!pathname.startsWith(PREVIEW_PREFIX)) return undefined;
  const [id = "", port = ""] = pathname.slice(PREVIEW_PREFIX.length).split("/");
  const sandboxId = decodeURIComponent(id);
  if (!state.find(sandboxId)) return answer(404, `daytona-kit: no sandbox ${sandboxId} to preview`);
  return answer(
    502,
    `daytona-kit: nothing listens on port ${port} of sandbox ${sandboxId}: the in-memory back end runs no processes`,
  );
}
