/**
 * The `daytona-kit serve` bin, run as a user would (from source, through tsx): it prints its URL and the client
 * environment, serves on 127.0.0.1, and SIGTERM ends it with exit 0; usage errors exit 2 before anything listens.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { shareImagesInto, skipReason } from "../driver/local/helpers.js";

const CLI = fileURLToPath(new URL("../../src/cli/daytona-kit.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const running: ChildProcessWithoutNullStreams[] = [];

// The usage-error matrix runs the CLI bundled to plain JavaScript (packages left in node_modules): a dozen
// TypeScript loaders starting at once would make the test slow under load, and the parsing is the same code.
let dir = "";
let bundled = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "daytona-kit-cli-"));
  bundled = join(dir, "daytona-kit.mjs");
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  buildSync({
    entryPoints: [CLI],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: bundled,
    logLevel: "error",
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(() => {
  // Only the processes this file started, by their own handle.
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts the CLI from source through tsx, as `node --import tsx src/cli/daytona-kit.ts …`, or the bundled copy. */
function start(args: string[], from: "source" | "bundle" = "source", env: NodeJS.ProcessEnv = {}): Cli {
  const entry = from === "source" ? ["--import", "tsx", CLI] : [bundled];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: "", ...env },
  });
  running.push(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The printed environment, once the server says it listens (or the process ends first: then an error). */
async function printedEnv(cli: Cli): Promise<Record<string, string>> {
  while (!/^DAYTONA_TARGET=/m.test(cli.stdout())) {
    const ended = await Promise.race([
      cli.exited.then(() => true),
      new Promise<false>((resolve) => cli.child.stdout.once("data", () => resolve(false))),
    ]);
    if (ended && !/^DAYTONA_TARGET=/m.test(cli.stdout())) {
      throw new Error(`the CLI ended before listening: ${cli.stdout()}\n${cli.stderr()}`);
    }
  }
  return Object.fromEntries(
    [...cli.stdout().matchAll(/^(DAYTONA_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
  );
}

const authed = (key: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
});

describe("daytona-kit serve", () => {
  it("prints its URL and env, serves on 127.0.0.1, and exits 0 on SIGTERM", { timeout: 60_000 }, async () => {
    const cli = start(["serve", "--port", "0", "--toolbox", "memory"]);
    const env = await printedEnv(cli);
    const apiUrl = env.DAYTONA_API_URL as string;
    const key = env.DAYTONA_API_KEY as string;
    expect(new URL(apiUrl).hostname).toBe("127.0.0.1");
    expect(cli.stdout()).toContain(`listening on ${new URL(apiUrl).origin}`);
    expect(env.DAYTONA_TARGET).toBe("us");
    expect(key).toMatch(/^local-[0-9a-f]{32}$/);

    expect((await fetch(`${apiUrl}/sandbox`)).status).toBe(401);
    const created = await fetch(`${apiUrl}/sandbox`, authed(key, { method: "POST", body: "{}" }));
    expect(created.status).toBe(200);
    const listed = (await (await fetch(`${apiUrl}/sandbox`, authed(key))).json()) as { items: unknown[] };
    expect(listed.items).toHaveLength(1);

    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain("Stopped (3 requests served).");
    expect(cli.stderr()).toBe("");
  });

  it("uses --api-key, and with --cleanup deletes on SIGINT the sandboxes it created", {
    timeout: 60_000,
  }, async () => {
    const cli = start(["serve", "--api-key", "cli-test-key", "--cleanup", "--toolbox", "memory"]);
    const env = await printedEnv(cli);
    expect(env.DAYTONA_API_KEY).toBe("cli-test-key");
    const apiUrl = env.DAYTONA_API_URL as string;
    for (const name of ["one", "two"]) {
      const created = await fetch(
        `${apiUrl}/sandbox`,
        authed("cli-test-key", { method: "POST", body: JSON.stringify({ name }) }),
      );
      expect(created.status).toBe(200);
    }
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain("deleted 2 sandbox(es) it created");
  });

  it("answers bad arguments with the usage and exit code 2", async () => {
    const cases: [string[], string][] = [
      [["serve", "--bogus"], "Unknown option '--bogus'"],
      [["serve", "--port", "abc"], '--port must be an integer from 0 to 65535, got "abc"'],
      [["serve", "--port", "70000"], 'got "70000"'],
      [["serve", "--port", "-1"], "--port"],
      [["serve", "--port"], "argument missing"],
      [["serve", "--api-key"], "argument missing"],
      [["serve", "--api-key", "has space"], "--api-key must be"],
      [[], "missing command (serve)"],
      [["launch"], "unknown command: launch"],
      [["serve", "extra"], "unknown command: serve extra"],
      [["serve", "--toolbox", "cloud"], '--toolbox must be local or memory, got "cloud"'],
      [["serve", "--toolbox"], "argument missing"],
      [["serve", "--home", ""], "--home must name a directory"],
      [["serve", "--toolbox", "memory", "--home", "/tmp/x"], "needs --toolbox local"],
    ];
    for (const [args, message] of cases) {
      const cli = start(args, "bundle");
      expect(await cli.exited, args.join(" ")).toBe(2);
      expect(cli.stderr(), args.join(" ")).toContain(message);
      expect(cli.stderr()).toContain("Usage: daytona-kit serve");
      expect(cli.stdout(), "nothing listened").toBe("");
    }
  }, 120_000);

  it.skipIf(skipReason !== undefined)(
    "serves real local sandboxes with --toolbox local --home DIR",
    { timeout: 60_000 },
    async () => {
      const home = mkdtempSync(join(tmpdir(), "daytona-kit-cli-home-"));
      try {
        // The machine's built images, so the server's start-up preparation finds the default one ready.
        expect(await shareImagesInto(home)).toBe(true);
        const cli = start(["serve", "--toolbox", "local", "--home", home]);
        const env = await printedEnv(cli);
        expect(cli.stdout()).toContain("Local Daytona (real local sandboxes) listening on");
        const listed = await fetch(`${env.DAYTONA_API_URL}/sandbox`, authed(env.DAYTONA_API_KEY as string));
        expect(await listed.json()).toEqual({ items: [], nextCursor: null });
        cli.child.kill("SIGTERM");
        expect(await cli.exited).toBe(0);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(skipReason !== undefined)(
    "cannot prepare the default image: exit 1 when local was asked for, the in-memory back end when it was the default",
    { timeout: 60_000 },
    async () => {
      // A home under a regular file: no folder can be made there, so preparing the image fails at once.
      const unusable = join(dir, "not-a-folder");
      writeFileSync(unusable, "");
      const asked = start(["serve", "--toolbox", "local", "--home", join(unusable, "home")]);
      expect(await asked.exited).toBe(1);
      expect(asked.stderr()).toMatch(/cannot prepare python:3\.12-slim-bookworm: .*ENOTDIR/);
      expect(asked.stdout(), "nothing listened").toBe("");

      const defaulted = start(["serve"], "source", { DAYTONA_KIT_HOME: join(unusable, "home") });
      const env = await printedEnv(defaulted);
      expect(defaulted.stderr()).toMatch(
        /serving the in-memory back end \(local sandboxes: cannot prepare .*ENOTDIR/,
      );
      expect(defaulted.stdout()).toContain("Local Daytona (in-memory back end) listening on");
      const listed = await fetch(`${env.DAYTONA_API_URL}/sandbox`, authed(env.DAYTONA_API_KEY as string));
      expect(listed.status).toBe(200);
      defaulted.child.kill("SIGTERM");
      expect(await defaulted.exited).toBe(0);
    },
  );

  it("prints the usage on --help and exits 0", async () => {
    const cli = start(["--help"], "bundle");
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain("Usage: daytona-kit serve [--port N] [--api-key KEY] [--cleanup]");
  });
});
