#!/usr/bin/env node
/**
 * `daytona-kit serve [--port N] [--api-key K] [--cleanup] [--toolbox local|memory] [--home DIR]`: a local Daytona on
 * 127.0.0.1 (see docs/local-daytona.md).
 * Prints the URL and the environment a Daytona client needs; SIGTERM/SIGINT close it cleanly (exit 0).
 * Usage errors exit 2.
 */
import { parseArgs } from "node:util";
import { missingPeerHint } from "./missing-peer.js";

const USAGE = `Usage: daytona-kit serve [--port N] [--api-key KEY] [--cleanup] [--toolbox local|memory] [--home DIR]

Serves Daytona's API (/api) and toolbox (/toolbox) on 127.0.0.1, backed by real local
sandboxes or daytona-kit's in-memory emulator. Point any Daytona client at it with the
printed environment.

  --port N         TCP port, 0-65535 (default 0: any free port)
  --api-key KEY    the key clients must send (default: a random key, printed)
  --cleanup        on SIGTERM/SIGINT, delete the sandboxes this run created
  --toolbox KIND   local: a real local sandbox per Daytona sandbox (Linux, root);
                   memory: the in-memory emulator (a mini shell, nothing runs)
                   (default: local where this machine runs local sandboxes, else memory)
  --home DIR       where local sandboxes and images live (default: $DAYTONA_KIT_HOME,
                   else ~/.cache/daytona-kit); sandboxes there survive a restart
  -h, --help       print this help
`;

/** A usage error: the message and the usage on stderr, exit code 2. */
class UsageError extends Error {}

interface ServeArgs {
  readonly port: number;
  readonly apiKey: string | undefined;
  readonly cleanup: boolean;
  /** `undefined`: local where supported, else memory. */
  readonly toolbox: "local" | "memory" | undefined;
  readonly home: string | undefined;
}

/** Parses argv (without `node` and the script); `"help"` for -h/--help. Throws {@link UsageError}. */
function parseServeArgs(argv: readonly string[]): ServeArgs | "help" {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: "string" },
        "api-key": { type: "string" },
        cleanup: { type: "boolean" },
        toolbox: { type: "string" },
        home: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return "help";
  if (positionals.length !== 1 || positionals[0] !== "serve") {
    throw new UsageError(
      positionals.length === 0 ? "missing command (serve)" : `unknown command: ${positionals.join(" ")}`,
    );
  }
  const rawPort = values.port;
  let port = 0;
  if (rawPort !== undefined) {
    if (typeof rawPort !== "string" || !/^\d{1,5}$/.test(rawPort) || Number(rawPort) > 65535) {
      throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(rawPort)}`);
    }
    port = Number(rawPort);
  }
  const apiKey = values["api-key"];
  if (apiKey !== undefined && (typeof apiKey !== "string" || !/^[\x21-\x7e]+$/.test(apiKey))) {
    throw new UsageError("--api-key must be non-empty printable ASCII without spaces");
  }
  const toolbox = values.toolbox;
  if (toolbox !== undefined && toolbox !== "local" && toolbox !== "memory") {
    throw new UsageError(`--toolbox must be local or memory, got ${JSON.stringify(toolbox)}`);
  }
  const home = values.home;
  if (home !== undefined && (typeof home !== "string" || home === "")) {
    throw new UsageError("--home must name a directory");
  }
  if (home !== undefined && toolbox === "memory") {
    throw new UsageError("--home is where local sandboxes live: it needs --toolbox local");
  }
  return {
    port,
    apiKey: typeof apiKey === "string" ? apiKey : undefined,
    cleanup: values.cleanup === true,
    toolbox,
    home: typeof home === "string" ? home : undefined,
  };
}

/**
 * The back end to serve: the one asked for; with `--home`, local; else local where this machine runs local
 * sandboxes, and memory (with a one-line notice why) where it cannot.
 */
async function chooseToolbox(args: ServeArgs): Promise<"local" | "memory"> {
  if (args.toolbox !== undefined) return args.toolbox;
  if (args.home !== undefined) return "local";
  const { createLocalDriver } = await import("../driver/local/index.js");
  const unsupported = createLocalDriver().capabilities().unsupported;
  if (unsupported === undefined) return "local";
  process.stderr.write(`daytona-kit: serving the in-memory back end (local sandboxes: ${unsupported})\n`);
  return "memory";
}

/**
 * Builds the default image before the server listens: the first `create` would otherwise build it (a minute or two
 * on a fresh machine) inside the client's own create timeout (60 s in the SDK) and look like a hung server.
 */
async function prepareDefaultImage(home: string | undefined): Promise<string | undefined> {
  const { createLocalDriver, DEFAULT_LOCAL_IMAGE } = await import("../driver/local/index.js");
  const driver = createLocalDriver(home !== undefined ? { home } : {});
  try {
    const prepared = await driver.prepare([DEFAULT_LOCAL_IMAGE]);
    return prepared.isErr() ? `cannot prepare ${DEFAULT_LOCAL_IMAGE}: ${prepared.error.message}` : undefined;
  } finally {
    await driver.dispose();
  }
}

async function serve(args: ServeArgs): Promise<number> {
  // Loaded here, not at the top: without msw installed the import fails, and the user gets an install hint.
  let startLocalDaytona: typeof import("../testing/serve/local-daytona.js").startLocalDaytona;
  try {
    ({ startLocalDaytona } = await import("../testing/serve/local-daytona.js"));
  } catch (error) {
    const hint = missingPeerHint(error);
    if (hint === undefined) throw error;
    process.stderr.write(`daytona-kit: ${hint}\n`);
    return 1;
  }
  let toolbox = await chooseToolbox(args);
  const unprepared = toolbox === "local" ? await prepareDefaultImage(args.home) : undefined;
  if (unprepared !== undefined) {
    // Asked for by name: the user wants real sandboxes, so say why there are none. Chosen by default: serve memory.
    if (args.toolbox === "local" || args.home !== undefined) {
      process.stderr.write(`daytona-kit: ${unprepared}\n`);
      return 1;
    }
    process.stderr.write(`daytona-kit: serving the in-memory back end (local sandboxes: ${unprepared})\n`);
    toolbox = "memory";
  }
  const started = await startLocalDaytona({
    port: args.port,
    cleanup: args.cleanup,
    toolbox,
    ...(args.home !== undefined ? { home: args.home } : {}),
    ...(args.apiKey !== undefined ? { apiKey: args.apiKey } : {}),
  });
  if (started.isErr()) {
    process.stderr.write(`daytona-kit: ${started.error.message}\n`);
    return started.error.kind === "InvalidArgument" ? 2 : 1;
  }
  const local = started.value;
  const env = Object.entries(local.env()).map(([name, value]) => `${name}=${value}`);
  process.stdout.write(
    `Local Daytona (${toolbox === "local" ? "real local sandboxes" : "in-memory back end"}) listening on ${local.url}\n` +
      `Point a Daytona client at it with:\n${env.join("\n")}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  // A second signal while closing ends the process at once.
  process.once("SIGTERM", () => process.exit(143));
  process.once("SIGINT", () => process.exit(130));
  const { deleted } = await local.close();
  const cleaned = args.cleanup ? `, deleted ${deleted.length} sandbox(es) it created` : "";
  process.stdout.write(`Stopped (${local.emulator.count()} requests served${cleaned}).\n`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: ServeArgs | "help";
  try {
    args = parseServeArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`daytona-kit: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  return serve(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `daytona-kit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
