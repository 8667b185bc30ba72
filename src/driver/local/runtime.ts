/**
 * The running part of a local sandbox: its copy-on-write root (overlayfs in the host's mount namespace, so the
 * host can read and write its files) and its init, a process that is PID 1 of a fresh PID namespace inside a private
 * mount namespace with `/proc`, a minimal `/dev` and the sandbox root as `/`. Every command enters those namespaces
 * with `nsenter`; killing the init ends every process of the sandbox at once.
 * @module
 */
import { spawn } from "node:child_process";
import { mkdir, open, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { pidExists, processStartTime, runHost } from "./host.js";
import type { SandboxPaths } from "./layout.js";
import { checkSandboxRoot } from "./root-check.js";

/** The sandbox's init as the host sees it. */
export interface InitProcess {
  readonly pid: number;
  /** Field 22 of `/proc/<pid>/stat`: tells a live init from a recycled pid. */
  readonly startTime: string;
}

/** Whether the recorded init still runs. */
export async function initAlive(init: InitProcess | undefined): Promise<boolean> {
  if (!init) return false;
  return (await processStartTime(init.pid)) === init.startTime;
}

/** Mount points (decoded) of the host's mount namespace. */
export async function hostMountPoints(): Promise<string[]> {
  const text = await readFile("/proc/self/mountinfo", "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) =>
      (line.split(" ")[4] ?? "").replace(/\\([0-7]{3})/g, (_, oct: string) =>
        String.fromCharCode(parseInt(oct, 8)),
      ),
    );
}

/** Overlay options separate paths with `,` and `:`; such paths cannot be passed. */
function overlaySafe(path: string): boolean {
  return !/[,:\s\\]/.test(path);
}

/**
 * Mounts the sandbox's overlay (lower: the image's layers, topmost first; upper: the sandbox's layer) at
 * `paths.root`, unless mounted.
 * @returns false when overlayfs cannot be used here (the caller falls back to a plain copy).
 */
export async function mountOverlay(
  paths: SandboxPaths,
  lowers: readonly string[],
): Promise<{ ok: boolean; detail: string }> {
  if ((await hostMountPoints()).includes(paths.root)) return { ok: true, detail: "already mounted" };
  if (lowers.length === 0 || ![paths.upper, paths.work, ...lowers].every(overlaySafe)) {
    return { ok: false, detail: "paths contain characters overlayfs options cannot carry" };
  }
  await mkdir(paths.upper, { recursive: true });
  await mkdir(paths.work, { recursive: true });
  await mkdir(paths.root, { recursive: true });
  const options = `lowerdir=${lowers.join(":")},upperdir=${paths.upper},workdir=${paths.work}`;
  const run = await runHost("mount", ["-t", "overlay", "overlay", "-o", options, paths.root]);
  if (run.code !== 0) return { ok: false, detail: run.stderr.trim() };
  // Keep the sandbox's mounts out of other mount namespaces that share the host's propagation.
  await runHost("mount", ["--make-private", paths.root]);
  return { ok: true, detail: "mounted" };
}

/**
 * Unmounts every host mount under the sandbox directory, newest first (the overlay before the disk image its upper
 * layer lives on; a nested mount before its parent). Resolves to the ones that stayed.
 */
export async function unmountAll(paths: SandboxPaths): Promise<string[]> {
  const inside = (await hostMountPoints())
    .filter((point) => point === paths.dir || point.startsWith(`${paths.dir}/`))
    .reverse();
  for (const point of inside) {
    const run = await runHost("umount", [point]);
    // A process outside the sandbox holding a file open (e.g. a shell cd'ed into it) keeps it busy: detach lazily.
    if (run.code !== 0) await runHost("umount", ["-l", point]);
  }
  const points = await hostMountPoints();
  return points.filter((point) => point === paths.dir || point.startsWith(`${paths.dir}/`));
}

/**
 * The init's setup, run by the host's `sh` inside the new namespaces (it is PID 1 there). It mounts `/proc`, a small
 * `/dev` and `/dev/shm`, then chroots into the sandbox and becomes `sleep infinity` there, with SIGCHLD ignored so
 * the kernel reaps orphans (no zombies from `cmd &`). It prints `ready <host pid>` only from INSIDE the chroot: before
 * that line `nsenter -r` would take the host's `/`, so no command may enter earlier.
 */
const INIT_SCRIPT = `set -e
R=$1
hostname "$2"
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=755,size=65536k,nosuid tmpfs "$R/dev"
for d in null zero full random urandom tty; do : > "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts" 2>/dev/null || true
ln -s pts/ptmx "$R/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm" 2>/dev/null || true
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"
ln -s /proc/self/fd/2 "$R/dev/stderr"
read -r hostpid _ < /proc/self/stat
if [ -x "$R/usr/bin/perl" ]; then
  exec chroot "$R" /usr/bin/perl -e '$|=1; print "ready $ARGV[0]\n"; open(STDOUT, ">", "/dev/null"); $SIG{CHLD}="IGNORE"; exec "/bin/sleep", "infinity"' "$hostpid"
fi
exec chroot "$R" /bin/sh -c 'echo "ready $0"; exec >/dev/null; exec /bin/sleep infinity' "$hostpid"
`;

/**
 * Starts the sandbox's init: a detached `unshare` whose child becomes PID 1 of a new PID namespace.
 * Resolves once the init is set up, or rejects with the setup's error output.
 */
export async function launchInit(
  paths: SandboxPaths,
  hostName: string,
  readyTimeoutMs: number,
): Promise<InitProcess> {
  const log = await open(paths.initLog, "w");
  const child = spawn(
    "unshare",
    [
      "--mount",
      "--pid",
      "--uts",
      // Its own network namespace (own loopback); egress.ts gives it user-mode egress once the init is up.
      "--net",
      "--fork",
      "--propagation",
      "private",
      "--",
      "/bin/sh",
      "-c",
      INIT_SCRIPT,
      "init",
      paths.root,
      hostName,
    ],
    // Its own session: a Ctrl-C in the caller's terminal must not stop sandboxes, which outlive this process.
    { detached: true, stdio: ["ignore", "pipe", log.fd], cwd: "/" },
  );
  await log.close();
  try {
    const pid = await new Promise<number>((resolveReady, rejectReady) => {
      let text = "";
      const timer = setTimeout(
        () => rejectReady(new Error(`init not ready after ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
        const match = /ready (\d+)\n/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolveReady(Number(match[1]));
        }
      });
      child.on("error", (error) => {
        clearTimeout(timer);
        rejectReady(error);
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        rejectReady(new Error(`init exited with ${code} during setup`));
      });
    });
    const startTime = await processStartTime(pid);
    if (startTime === undefined) throw new Error("init vanished right after setup");
    const inside = await checkSandboxRoot(pid, paths.root);
    if (inside.isErr()) throw new Error(inside.error.message);
    return { pid, startTime };
  } catch (error) {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    const log = await readFile(paths.initLog, "utf8").catch(() => "");
    throw new Error(`${(error as Error).message}${log ? `: ${log.trim()}` : ""}`);
  } finally {
    child.stdout!.destroy();
    child.removeAllListeners();
    child.unref();
  }
}

/** Kills the init (and with it every process of the sandbox) and waits until the kernel has removed it. */
export async function killInit(
  init: InitProcess | undefined,
  extraPids: readonly number[] = [],
): Promise<void> {
  const alive = await initAlive(init);
  for (const pid of [...(alive && init ? [init.pid] : []), ...extraPids]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (!alive || !init) return;
  for (let waited = 0; waited < 10_000 && pidExists(init.pid); waited += 20) await sleep(20);
}
