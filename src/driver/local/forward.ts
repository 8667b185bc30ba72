/**
 * Preview forwarders: `http://127.0.0.1:<hostPort>` on the host reaches `127.0.0.1:<port>` inside a sandbox.
 *
 * One detached `socat` per forwarded port listens on the host's 127.0.0.1 (its own process group, so it outlives the
 * calling Node process and dies with the sandbox). For each connection it runs `nsenter --net=<pinned ns> socat`,
 * which connects to the sandbox's OWN loopback: services bound to 127.0.0.1 inside (Redis, PostgreSQL on
 * `localhost`, a dev server) are reached, which slirp4netns's `add_hostfwd` cannot do (it delivers to the tap
 * address, 10.0.2.100). The cost is a fork and two execs per connection (a few ms), not per request on keep-alive.
 * @module
 */

import { readdir, readFile, readlink } from "node:fs/promises";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { SandboxPaths } from "./layout.js";
import {
  describeHelper,
  type ForwardRecord,
  helperAlive,
  killHelpersListening,
  type NetPaths,
  netPaths,
  readNetRecord,
  spawnHelper,
  writeNetRecord,
} from "./net-helpers.js";

const LISTEN_TIMEOUT_MS = 5_000;
const ATTEMPTS = 5;

/**
 * The host port forwarding to the sandbox's `port`: the running forwarder's when there is one (the same URL for the
 * same port while started), else a new forwarder on the recorded host port if free, else on a free one.
 * The caller holds the sandbox's lifecycle lock and has checked the sandbox is started.
 */
export async function forwardPort(paths: SandboxPaths, port: number): Promise<number> {
  const net = netPaths(paths);
  const record = await readNetRecord(net);
  const known = record.forwards.find((forward) => forward.port === port);
  if (known && (await helperAlive(known.process))) return known.hostPort;
  // A caller killed between spawning a forwarder and recording its pid left it running unrecorded: end it, so its
  // host port (the URL the caller may already hold) is taken over instead of leaking a second listener.
  if (known) await killHelpersListening(net, known.hostPort);
  return startForward(net, port, known?.hostPort);
}

/** Starts a forwarder for every recorded port (after `start`), keeping each one's host port when it is still free. */
export async function restoreForwards(paths: SandboxPaths): Promise<void> {
  const net = netPaths(paths);
  const record = await readNetRecord(net);
  for (const forward of record.forwards) {
    if (await helperAlive(forward.process)) continue;
    await killHelpersListening(net, forward.hostPort);
    await startForward(net, forward.port, forward.hostPort);
  }
}

async function startForward(net: NetPaths, port: number, preferred: number | undefined): Promise<number> {
  let lastError = "";
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const hostPort = attempt === 0 && preferred !== undefined ? preferred : await freeLoopbackPort();
    // Recorded before it is made, so a crash right after the spawn leaves a findable forwarder (see net-helpers.ts).
    await saveForward(net, { port, hostPort });
    const child = spawnHelper(
      net,
      "socat",
      [
        `TCP-LISTEN:${hostPort},bind=127.0.0.1,fork,reuseaddr`,
        // `ns` is relative to the helper's working directory, net/ (socat's address syntax needs `:` escaped).
        `EXEC:nsenter --net=ns socat STDIO TCP\\:127.0.0.1\\:${port}`,
      ],
      ["ignore", "ignore", "ignore"],
    );
    let gone: string | undefined;
    const exited = new Promise<string>((done) => {
      const end = (why: string) => {
        gone = why;
        done(why);
      };
      child.once("exit", (code) => end(`forwarder exited with ${code}`));
      child.once("error", (error) => end(error.message));
    });
    try {
      const outcome = await Promise.race([listening(child.pid, hostPort, () => gone !== undefined), exited]);
      if (outcome === true) {
        await saveForward(net, { port, hostPort, process: await describeHelper(child) });
        return hostPort;
      }
      lastError = typeof outcome === "string" ? outcome : `127.0.0.1:${hostPort} never listened`;
      killQuietly(child.pid);
    } finally {
      child.removeAllListeners();
      child.unref();
    }
  }
  throw new Error(`Could not forward port ${port}: ${lastError}`);
}

async function saveForward(net: NetPaths, forward: ForwardRecord): Promise<void> {
  const record = await readNetRecord(net);
  await writeNetRecord(net, {
    ...record,
    forwards: [...record.forwards.filter((known) => known.port !== forward.port), forward],
  });
}

/** A port the kernel just gave out on 127.0.0.1 (free now; the forwarder retries if someone takes it first). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once("error", rejectPort);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolvePort(address.port) : rejectPort(new Error("no port")),
      );
    });
  });
}

/** Resolves true once `pid` itself holds a listening socket on 127.0.0.1:`hostPort`; false after the timeout. */
async function listening(pid: number | undefined, hostPort: number, exited: () => boolean): Promise<boolean> {
  if (pid === undefined) return false;
  const local = `0100007F:${hostPort.toString(16).toUpperCase().padStart(4, "0")}`;
  for (let waited = 0; waited < LISTEN_TIMEOUT_MS && !exited(); waited += 20) {
    const table = await readFile("/proc/self/net/tcp", "utf8").catch(() => "");
    const inodes = table
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1] === local && fields[3] === "0A")
      .map((fields) => `socket:[${fields[9]}]`);
    if (inodes.length > 0) {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")));
      if (links.some((link) => inodes.includes(link))) return true;
    }
    await sleep(20);
  }
  return false;
}

function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
