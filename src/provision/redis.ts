/**
 * Redis: installed, started daemonized on 127.0.0.1 with protected mode on, on the caller's port, and ready (PONG).
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { quoteArgs } from "../shell/quote.js";
import { readReport } from "./engine.js";
import type { Service } from "./service.js";
import type { ProvisionStep, RunOptions } from "./types.js";
import { validatePort, validateTimeout } from "./validate.js";

/** What `provision.redis` can be told (also the value of `all({ redis })`). */
export interface RedisSettings {
  /** TCP port on the sandbox's 127.0.0.1 (each sandbox has its own network, local ones too). @default 6379 */
  readonly port?: number;
  /** How long to wait for `PONG` after starting. @default 30_000 */
  readonly readyTimeoutMs?: number;
}

/** Options of `provision.redis`. */
export interface RedisOptions extends RedisSettings, RunOptions {}

/** Result of `provision.redis`. */
export interface RedisResult {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** From `redis-server --version`, e.g. `"7.0.15"`. */
  readonly version: string;
  /** Whether any step ran (install or start). */
  readonly changed: boolean;
}

/** Defaults of {@link RedisSettings}. */
export const REDIS_DEFAULTS = { port: 6379, readyTimeoutMs: 30_000 } as const;

/** The Redis service: package `redis-server`, step `redis.start`, report `redis-server --version`. */
export function redisService(settings: RedisSettings = {}): Result<Service<RedisResult>, KitError> {
  const port = validatePort(settings.port ?? REDIS_DEFAULTS.port);
  if (port.isErr()) return err(port.error);
  const ready = validateTimeout(settings.readyTimeoutMs ?? REDIS_DEFAULTS.readyTimeoutMs, "readyTimeoutMs");
  if (ready.isErr()) return err(ready.error);
  const p = port.value;
  return ok({
    name: "redis",
    packages: ["redis-server"],
    steps: [startStep(p, ready.value)],
    reports: { "redis-version": "redis-server --version" },
    parse: (facts) =>
      readReport(facts, "redis-version", "redis").andThen((text) => {
        const version = /\bv=(\S+)/.exec(text)?.[1];
        if (version === undefined) {
          return err(
            kitError.provisionFailed("redis.report", kitError.unexpected(`Unexpected version: ${text}`)),
          );
        }
        const changed = facts.ran.some((step) => step.startsWith("redis.") || step.startsWith("apt."));
        return ok({ url: `redis://127.0.0.1:${p}`, port: p, version, changed });
      }),
  });
}

function startStep(port: number, readyTimeoutMs: number): ProvisionStep {
  const pidfile = `/var/run/daytona-kit/redis-${port}.pid`;
  const log = `/var/log/daytona-kit/redis-${port}.log`;
  const dataDir = `/var/lib/daytona-kit/redis-${port}`;
  const ping = `${quoteArgs(["redis-cli", "-p", String(port), "ping"])} 2>/dev/null | grep -q PONG`;
  // Ours and answering: the pid file names a live process AND the port says PONG. A PONG alone could come from
  // another server on the same port of this sandbox.
  const ours = `pid=$(cat ${pidfile} 2>/dev/null) && kill -0 "$pid" 2>/dev/null && ${ping}`;
  const tries = Math.max(1, Math.ceil(readyTimeoutMs / 250));
  return {
    name: "redis.start",
    description: `Start redis-server daemonized on 127.0.0.1:${port} (protected mode) and wait for PONG.`,
    check: ours,
    command: [
      `if ${ours}; then echo 'redis-server already running on port ${port}'; exit 0; fi`,
      `mkdir -p /var/run/daytona-kit /var/log/daytona-kit ${dataDir} && : > ${log}`,
      // --dir keeps dump.rdb out of the working directory (/workspace).
      quoteArgs([
        "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--protected-mode",
        "yes",
        "--port",
        String(port),
        "--pidfile",
        pidfile,
        "--logfile",
        log,
        "--dir",
        dataDir,
      ]),
      "i=0",
      `until ${ours}; do`,
      "  i=$((i + 1))",
      // The port taken fails at once, unless a server answers there: another process's start of ours, racing
      // this one, whose pid file is about to appear.
      `  if { grep -q 'Address already in use' ${log} 2>/dev/null && ! ${ping}; } || [ "$i" -ge ${tries} ]; then`,
      `    echo 'redis-server did not answer PONG on port ${port} within ${readyTimeoutMs} ms.' >&2; tail -n 20 ${log} >&2; exit 1`,
      "  fi",
      "  sleep 0.25",
      "done",
    ].join("\n"),
    timeoutMs: readyTimeoutMs + 30_000,
  };
}
