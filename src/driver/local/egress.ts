/**
 * A sandbox's own network: the init runs in a fresh network namespace (its own loopback, so two sandboxes can both
 * listen on 5432), and `slirp4netns` gives it egress through user-mode networking. slirp4netns runs on the host and
 * opens ordinary host sockets for the sandbox's connections, so no address, bridge or route is added on the host and
 * nothing listens on it. Inside, the namespace has `tap0` 10.0.2.100/24, gateway 10.0.2.2 and a DNS forwarder on
 * 10.0.2.3; `--disable-host-loopback` keeps the host's (and other sandboxes' forwarded) loopback ports out of reach.
 * @module
 */
import { mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { restoreForwards } from "./forward.js";
import { runHost } from "./host.js";
import type { SandboxPaths } from "./layout.js";
import {
  describeHelper,
  killNetHelpers,
  type NetPaths,
  netPaths,
  readNetRecord,
  spawnHelper,
  writeNetRecord,
} from "./net-helpers.js";
import { hostMountPoints } from "./runtime.js";

/** The resolver the sandbox uses: slirp4netns's DNS forwarder (the host's own resolver may be a loopback address). */
export const SANDBOX_NAMESERVER = "10.0.2.3";

/** slirp4netns's arguments: the largest MTU it allows (fewer, bigger segments through the user-mode stack). */
const SLIRP_ARGS = ["--configure", "--mtu=65520", "--disable-host-loopback", "--ready-fd=3"] as const;

/**
 * Gives the started init's network namespace its loopback, egress and the recorded preview forwarders.
 * Throws with the reason when egress cannot be set up (the caller takes the sandbox down).
 */
export async function startNetwork(
  paths: SandboxPaths,
  initPid: number,
  readyTimeoutMs: number,
): Promise<void> {
  const net = netPaths(paths);
  await mkdir(net.dir, { recursive: true });
  await pinNamespace(net, initPid);
  const before = await readNetRecord(net);
  // Recorded before it is made: the net/ folder is the helper's marker (see net-helpers.ts).
  await writeNetRecord(net, { ...before, version: 1 });
  const log = await open(net.egressLog, "w");
  const child = spawnHelper(
    net,
    "slirp4netns",
    [...SLIRP_ARGS, "--netns-type=path", net.ns, "tap0"],
    ["ignore", log.fd, log.fd, "pipe"],
  );
  await log.close();
  try {
    await waitReady(child, readyTimeoutMs);
    const egress = await describeHelper(child);
    await writeNetRecord(net, { ...(await readNetRecord(net)), egress });
  } catch (error) {
    const detail = await readLog(net);
    throw new Error(
      `Could not start the sandbox's network (slirp4netns): ${(error as Error).message}${detail}`,
    );
  } finally {
    child.stdio[3]?.destroy();
    child.removeAllListeners();
    child.unref();
  }
  await restoreForwards(paths);
}

/**
 * Ends the sandbox's network helpers and releases its pinned namespace. Keeps the forwarded port pairs in the
 * record, so the next start restores them.
 */
export async function stopNetwork(paths: SandboxPaths): Promise<void> {
  const net = netPaths(paths);
  const record = await readNetRecord(net);
  const left = await killNetHelpers(net, record);
  if (left.length > 0) throw new Error(`network helpers ${left.join(", ")} did not exit`);
  if ((await hostMountPoints()).includes(net.ns)) {
    const run = await runHost("umount", [net.ns]);
    if (run.code !== 0) await runHost("umount", ["-l", net.ns]);
  }
  // Unlinking also detaches copies of the pin that other mount namespaces (later sandboxes' inits) took.
  await rm(net.ns, { force: true });
  if (record.egress || record.forwards.some((forward) => forward.process)) {
    const { egress: _egress, ...rest } = record;
    await writeNetRecord(net, {
      ...rest,
      forwards: record.forwards.map(({ port, hostPort }) => ({ port, hostPort })),
    });
  }
}

/** Bind-mounts the init's network namespace at `net.ns`: helpers enter it by path, never by a pid that may recycle. */
async function pinNamespace(net: NetPaths, initPid: number): Promise<void> {
  if ((await hostMountPoints()).includes(net.ns)) await runHost("umount", ["-l", net.ns]);
  await writeFile(net.ns, "");
  const run = await runHost("mount", ["--bind", `/proc/${initPid}/ns/net`, net.ns]);
  if (run.code !== 0) throw new Error(`Could not pin the sandbox's network namespace: ${run.stderr.trim()}`);
  await runHost("mount", ["--make-private", net.ns]);
}

/** Resolves when slirp4netns reports the interface configured on its ready fd. */
function waitReady(child: ReturnType<typeof spawnHelper>, timeoutMs: number): Promise<void> {
  const ready = child.stdio[3];
  if (!ready) return Promise.reject(new Error("no ready pipe"));
  return new Promise<void>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    ready.once("data", () => {
      clearTimeout(timer);
      resolveReady();
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      rejectReady(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      rejectReady(new Error(`exited with ${code}`));
    });
  });
}

async function readLog(net: NetPaths): Promise<string> {
  const text = (await readFile(net.egressLog, "utf8").catch(() => "")).trim();
  return text ? `: ${text.slice(-500)}` : "";
}
