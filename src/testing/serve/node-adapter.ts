import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";

/** The parts of `@hono/node-server` the local Daytona server uses. */
export interface NodeAdapter {
  readonly getRequestListener: typeof import("@hono/node-server").getRequestListener;
  /** Returned after the listener answered by itself (a dropped connection): hono then writes nothing. */
  readonly alreadySent: Response;
}

/** What to install when the optional peer dependency is missing. */
export const ADAPTER_INSTALL_HINT =
  "Install the optional peer dependency that serves it: npm install --save-dev @hono/node-server hono";

const isMissingModule = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
};

/**
 * Loads `@hono/node-server` on first use (an optional peer dependency: users of `./testing` who never serve over
 * HTTP need not install it). A missing module is `Unsupported` naming the package to install. `load` is the import
 * itself (replaceable in tests).
 */
export async function loadNodeAdapter(
  load: () => Promise<
    [typeof import("@hono/node-server"), typeof import("@hono/node-server/utils/response")]
  > = () => Promise.all([import("@hono/node-server"), import("@hono/node-server/utils/response")]),
): Promise<Result<NodeAdapter, KitError>> {
  try {
    const [server, response] = await load();
    return ok({ getRequestListener: server.getRequestListener, alreadySent: response.RESPONSE_ALREADY_SENT });
  } catch (error) {
    if (isMissingModule(error)) {
      return err(
        kitError.unsupported(
          "The local Daytona server (@hono/node-server is not installed)",
          ADAPTER_INSTALL_HINT,
        ),
      );
    }
    return err(kitError.unexpected(`Loading @hono/node-server failed: ${String(error)}`, { cause: error }));
  }
}
