/**
 * `node.serveStatic`: start the kit's static SPA server in the background (nohup) and wait, from INSIDE the sandbox,
 * until the port answers. Idempotent: a server of ours already serving the same directory on the port is kept.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import { quoteArgs, shellQuote } from "../../shell/quote.js";
import { type Recipe, readReport } from "../engine.js";
import type { RunOptions } from "../types.js";
import { validateDir, validateHost, validatePort, validateTimeout } from "../validate.js";

/** Options of `provision.node.serveStatic`. */
export interface ServeStaticOptions extends RunOptions {
  /** Port to listen on. @default 3000 */
  readonly port?: number;
  /**
   * Listen address. `0.0.0.0` is what Daytona's preview proxy needs; on the local driver the sandbox has its own
   * network namespace, so either address is reached from the host only through `preview(port)`.
   * @default "0.0.0.0"
   */
  readonly host?: string;
  /** How long to wait for the port to answer. @default 15_000 */
  readonly readyTimeoutMs?: number;
}

/** Result of `provision.node.serveStatic`. */
export interface ServeStaticResult {
  /** Where the server answers from inside the sandbox (from outside, use the sandbox's `preview(port)`). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Process id of the server inside the sandbox. */
  readonly pid: number;
  /** Its log (stdout + stderr) inside the sandbox. */
  readonly logPath: string;
  /** False when a server of ours was already serving this directory on this port. */
  readonly changed: boolean;
}

/** Defaults of {@link ServeStaticOptions}. */
export const SERVE_STATIC_DEFAULTS = { port: 3000, host: "0.0.0.0", readyTimeoutMs: 15_000 } as const;

/** File name of the server script under the state directory. */
export const STATIC_SERVER_FILE = "static-server.cjs";

// Polls http://host:port/ until it answers, the server logs a failure, or the deadline passes. One node process,
// since slim images have no curl or wget.
const WAIT_FOR_PORT = [
  'const http = require("node:http"), fs = require("node:fs");',
  "const [port, host, ms, log] = process.argv.slice(1);",
  "const end = Date.now() + Number(ms);",
  "function failed() { try { return fs.readFileSync(log, 'utf8').includes('static server failed'); } catch { return false; } }",
  "function attempt() {",
  "  const req = http.get({ host, port: Number(port), path: '/', timeout: 2000 }, (res) => { res.resume(); process.exit(0); });",
  "  req.on('timeout', () => req.destroy(new Error('timeout')));",
  "  req.on('error', () => {",
  "    if (failed()) { console.error('the static server exited: see ' + log); process.exit(1); }",
  "    if (Date.now() > end) { console.error('nothing answered on ' + host + ':' + port + ' within ' + ms + ' ms'); process.exit(1); }",
  "    setTimeout(attempt, 100);",
  "  });",
  "}",
  "attempt();",
].join("\n");

/** Everything `serveStatic` needs besides the recipe: the script's path inside the sandbox. */
export interface ServeStaticPlan {
  readonly recipe: Recipe<ServeStaticResult>;
  readonly scriptPath: string;
}

/** The recipe behind `node.serveStatic(dir)`. `stateDir` is absolute and already checked. */
export function serveStaticPlan(
  dir: string,
  options: ServeStaticOptions,
  stateDir: string,
): Result<ServeStaticPlan, KitError> {
  const validDir = validateDir(dir);
  if (validDir.isErr()) return err(validDir.error);
  const port = validatePort(options.port ?? SERVE_STATIC_DEFAULTS.port);
  if (port.isErr()) return err(port.error);
  const host = validateHost(options.host ?? SERVE_STATIC_DEFAULTS.host);
  if (host.isErr()) return err(host.error);
  const ready = validateTimeout(
    options.readyTimeoutMs ?? SERVE_STATIC_DEFAULTS.readyTimeoutMs,
    "readyTimeoutMs",
  );
  if (ready.isErr()) return err(ready.error);

  const p = port.value;
  const probeHost =
    host.value === "::1" ? "::1" : host.value === "0.0.0.0" || host.value === "::" ? "127.0.0.1" : host.value;
  const scriptPath = `${stateDir}/${STATIC_SERVER_FILE}`;
  const pidFile = shellQuote(`${stateDir}/static-${p}.pid`);
  const dirFile = shellQuote(`${stateDir}/static-${p}.dir`);
  const logPath = `${stateDir}/static-${p}.log`;
  const log = shellQuote(logPath);
  const abs = `$(cd ${shellQuote(validDir.value)} 2>/dev/null && pwd -P)`;
  const wait = (ms: number) =>
    quoteArgs(["node", "-e", WAIT_FOR_PORT, String(p), probeHost, String(ms), logPath]);
  const alive = `pid=$(cat ${pidFile} 2>/dev/null) && kill -0 "$pid" 2>/dev/null`;
  const url = `http://${probeHost.includes(":") ? `[${probeHost}]` : probeHost}:${p}`;

  return ok({
    scriptPath,
    recipe: {
      name: "node.serveStatic",
      steps: [
        {
          name: "static.start",
          description: `Serve ${dir} on ${host.value}:${p} in the background (SPA fallback) and wait until it answers.`,
          check: `${alive} && [ "$(cat ${dirFile} 2>/dev/null)" = "${abs}" ] && ${wait(2_000)}`,
          command: [
            `abs="${abs}"`,
            `[ -n "$abs" ] || { echo ${shellQuote(`No directory ${dir} in the sandbox.`)} >&2; exit 1; }`,
            `[ -f "$abs/index.html" ] || echo "warning: $abs has no index.html (the SPA fallback will 404)"`,
            `mkdir -p ${shellQuote(stateDir)}`,
            `if ${alive}; then`,
            `  if [ "$(cat ${dirFile} 2>/dev/null)" = "$abs" ]; then running=1; else kill "$pid"; sleep 0.3; fi`,
            "fi",
            `if [ -z "$running" ]; then`,
            `  nohup node ${shellQuote(scriptPath)} "$abs" ${p} ${shellQuote(host.value)} > ${log} 2>&1 &`,
            `  echo $! > ${pidFile}; printf '%s\\n' "$abs" > ${dirFile}`,
            "fi",
            `${wait(ready.value)} || { tail -n 20 ${log} >&2; exit 1; }`,
          ].join("\n"),
          timeoutMs: ready.value + 30_000,
        },
      ],
      reports: { "static-pid": `cat ${pidFile}` },
      parse: (facts) =>
        readReport(facts, "static-pid", "static").andThen((text) => {
          const pid = Number(text);
          if (!Number.isInteger(pid) || pid <= 0) {
            return err(
              kitError.provisionFailed("static.report", kitError.unexpected(`Unexpected pid: ${text}`)),
            );
          }
          return ok({
            url,
            port: p,
            host: host.value,
            pid,
            logPath,
            changed: facts.ran.includes("static.start"),
          });
        }),
    },
  });
}
