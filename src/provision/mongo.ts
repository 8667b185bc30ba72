/**
 * MongoDB: it does not install on slim images (missing repositories and dependencies), so this never
 * tries. Without a `mongod` in the image the answer is `Unsupported` with the options that work; with one (e.g. the
 * `mongo:7` image) it is started on 127.0.0.1 and waited for.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { quoteArgs } from "../shell/quote.js";
import { type Recipe, readReport } from "./engine.js";
import type { RunOptions } from "./types.js";
import { validatePort, validateTimeout } from "./validate.js";

/** Options of `provision.mongo`. */
export interface MongoOptions extends RunOptions {
  /** Port on 127.0.0.1. @default 27017 */
  readonly port?: number;
  /** How long to wait for a ping after starting. @default 30_000 */
  readonly readyTimeoutMs?: number;
}

/** Result of `provision.mongo`. */
export interface MongoResult {
  /** `mongodb://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** From `mongod --version`, e.g. `"7.0.14"`. */
  readonly version: string;
  readonly changed: boolean;
}

/** The hint returned with `Unsupported` on images without MongoDB. */
export const MONGO_UNSUPPORTED_HINT =
  "MongoDB does not install on slim images (missing repositories and dependencies), and nothing was installed. " +
  'Create the sandbox from a MongoDB image instead (image: "mongo:7"), or, for tests, use a test double on the ' +
  "host such as mongodb-memory-server (mongomock in Python).";

/** The recipe behind `provision.mongo()`. */
export function mongoRecipe(options: MongoOptions = {}): Result<Recipe<MongoResult>, KitError> {
  const port = validatePort(options.port ?? 27_017);
  if (port.isErr()) return err(port.error);
  const ready = validateTimeout(options.readyTimeoutMs ?? 30_000, "readyTimeoutMs");
  if (ready.isErr()) return err(ready.error);
  const p = port.value;
  const evalPing = ["--quiet", "--port", String(p), "--eval", "db.runCommand({ ping: 1 }).ok"];
  const ping = `{ ${quoteArgs(["mongosh", ...evalPing])} 2>/dev/null || ${quoteArgs(["mongo", ...evalPing])} 2>/dev/null; } | grep -q 1`;
  const log = `/var/log/daytona-kit/mongod-${p}.log`;
  const tries = Math.max(1, Math.ceil(ready.value / 500));
  return ok({
    name: "mongo",
    steps: [
      {
        name: "mongo.start",
        description: `Start mongod on 127.0.0.1:${p} (forked) and wait for a ping.`,
        check: ping,
        command: [
          `if ${ping}; then exit 0; fi`,
          `mkdir -p /data/db /var/log/daytona-kit`,
          `${quoteArgs(["mongod", "--fork", "--bind_ip", "127.0.0.1", "--port", String(p), "--dbpath", "/data/db", "--logpath", log])} || { tail -n 20 ${log} >&2; exit 1; }`,
          "i=0",
          `until ${ping}; do i=$((i + 1)); if [ "$i" -ge ${tries} ]; then echo 'mongod did not answer on port ${p}.' >&2; exit 1; fi; sleep 0.5; done`,
        ].join("\n"),
        timeoutMs: ready.value + 60_000,
      },
    ],
    reports: { "mongo-version": "mongod --version | head -n 1" },
    preflight: {
      reports: { "mongod-path": "command -v mongod || true" },
      decide: (reports) =>
        (reports["mongod-path"]?.output.trim() ?? "") === ""
          ? err(kitError.unsupported("MongoDB on this image", MONGO_UNSUPPORTED_HINT))
          : ok(undefined),
    },
    parse: (facts) =>
      readReport(facts, "mongo-version", "mongo").map((text) => ({
        url: `mongodb://127.0.0.1:${p}`,
        port: p,
        version: /v?(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? text,
        changed: facts.ran.includes("mongo.start"),
      })),
  });
}
