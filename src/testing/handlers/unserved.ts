import { HttpResponse, http, type RequestHandler } from "msw";
import { apiErrorBody } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import { isAuthorized } from "../pipeline.js";

/** Where the list of routes that are not served lives (named in every 501 body). */
export const UNSERVED_DOCS = "docs/testing-with-the-emulator.md#not-served";

/**
 * The 501 every route under the API or the toolbox that the emulator does not serve answers, naming the route, so
 * a client learns at once that the stand-in lacks it (a 404 would read as "no such sandbox"). Auth is checked
 * first, as on every route. Not counted in the request log (its entries name served routes only).
 */
function notImplemented(ctx: EmulatorContext, request: Request): Response {
  if (!isAuthorized(request, ctx.options.apiKey)) {
    return HttpResponse.json(apiErrorBody(401, "Unauthorized", request), { status: 401 });
  }
  const { pathname } = new URL(request.url);
  const message =
    `${request.method} ${pathname} is not served by daytona-kit's Daytona emulator ` +
    `(the routes it does not serve answer 501; see ${UNSERVED_DOCS}).`;
  return HttpResponse.json(apiErrorBody(501, message, request), { status: 501 });
}

/** Catch-alls for `{apiUrl}/*` and `{toolboxUrl}/*`: put them after every served route. */
export function unservedHandlers(ctx: EmulatorContext): RequestHandler[] {
  const answer = ({ request }: { request: Request }) => notImplemented(ctx, request);
  return [http.all(`${ctx.options.apiUrl}/*`, answer), http.all(`${ctx.options.toolboxUrl}/*`, answer)];
}
