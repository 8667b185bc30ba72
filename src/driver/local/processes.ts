/**
 * Finds the host processes of local sandboxes without trusting any record: a process belongs to sandbox `<id>` when
 * its root is inside `sandboxes/<id>/` (the init after its chroot, every command) or when its command line names the
 * sandbox's root (the launcher and the init before its chroot), or when it works in `sandboxes/<id>/net` (the
 * network helpers: slirp4netns and preview forwarders, see net-helpers.ts). So a crash between starting a process
 * and recording it leaves nothing that cannot be found and killed.
 * @module
 */
import { readdir, readFile, readlink } from "node:fs/promises";
import { sep } from "node:path";

/** Host pids of processes that belong to a sandbox under `sandboxesDir`, by sandbox id. */
export async function sandboxProcesses(sandboxesDir: string): Promise<Map<string, number[]>> {
  const prefix = `${sandboxesDir}${sep}`;
  const found = new Map<string, number[]>();
  const names = await readdir("/proc").catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
      .map(async (name) => {
        const id = await ownerOf(name, prefix);
        if (id === undefined) return;
        found.set(id, [...(found.get(id) ?? []), Number(name)]);
      }),
  );
  return found;
}

async function ownerOf(pid: string, prefix: string): Promise<string | undefined> {
  const root = await readlink(`/proc/${pid}/root`).catch(() => undefined);
  const fromRoot = root !== undefined ? idAfter(root, prefix) : undefined;
  if (fromRoot !== undefined) return fromRoot;
  const cwd = (await readlink(`/proc/${pid}/cwd`).catch(() => "")).replace(/ \(deleted\)$/, "");
  const helperOf = idAfter(cwd, prefix);
  if (helperOf !== undefined && cwd === `${prefix}${helperOf}${sep}net`) return helperOf;
  // Only the launcher's own shapes, so a host shell that merely names a sandbox path is never taken for one:
  // `unshare … /bin/sh -c <script> init <root> <name>`, its `/bin/sh -c <script> init <root> <name>`, and
  // `chroot <root> …`.
  const args = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0");
  const at = args.indexOf("init");
  const rootArg = args[0]?.endsWith("chroot") ? args[1] : at >= 0 ? args[at + 1] : undefined;
  return rootArg?.endsWith(`${sep}root`) && args.includes(rootArg) ? idAfter(rootArg, prefix) : undefined;
}

function idAfter(path: string, prefix: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const id = path
    .slice(prefix.length)
    .split(sep)[0]!
    .replace(/ \(deleted\)$/, "");
  return /^lsb-[0-9a-f]{12}$/.test(id) ? id : undefined;
}
