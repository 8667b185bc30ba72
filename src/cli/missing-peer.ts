/**
 * The server's optional peers (msw for the route handlers, `@hono/node-server` for HTTP) are not installed by
 * the package: a project that runs the bin without them should be told what to install, not shown a stack.
 * @module
 */

/** The optional peers the bin loads. */
const PEERS = ["msw", "@hono/node-server", "hono"] as const;

/** The install hint when `error` is a failed import of one of the peers; otherwise `undefined`. */
export function missingPeerHint(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined;
  const peer = PEERS.find((name) => message.includes(`'${name}'`) || message.includes(`"${name}"`));
  if (peer === undefined) return undefined;
  return (
    `daytona-kit serve needs the optional peer dependency ${peer}, which is not installed here. ` +
    "Install the server's peers: npm install --save-dev msw @hono/node-server hono"
  );
}
