/**
 * Unique sandbox names on one machine (one kit home), across processes, with no lock server and no lock file:
 *
 * ```text
 * names/<name>/<n>            a claim: {"sandboxId", "owner": {pid, startTime}}; the highest n is the current one
 * names/<name>/<n>.released   the claim's sandbox was deleted (or its create failed): the name is free again
 * ```
 *
 * A claim is made by `link()`ing a finished file to slot `top + 1`: the kernel lets exactly one process create a
 * given slot, so of two processes that both saw the name free, one wins and the other gets `EEXIST`, looks again,
 * and finds the winner's claim. Nothing is ever overwritten or taken over in place, so there is no window in which
 * two processes both believe they hold the name.
 *
 * The current claim holds the name while its sandbox record exists (unless that record is a `creating` one whose
 * creator died: an interrupted create, which is garbage), or, before the record is written, while its creator runs
 * (same pid and start time). A claimer SIGKILLed between its claim and its record therefore blocks nobody: the
 * next create sees a dead owner and no record, and claims the next slot.
 * @module
 */
import { access, link, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import { processStartTime } from "./host.js";
import { readMeta } from "./meta.js";

/** What a claim file holds. */
export interface NameClaim {
  readonly sandboxId: string;
  readonly owner: { readonly pid: number; readonly startTime: string };
}

/** Where the claims of `name` live. Names are checked by the driver before they reach here (no `/`, no `..`). */
export function nameDir(home: string, name: string): string {
  return join(home, "names", name);
}

/**
 * Claims `name` for `sandboxId` for this process. `Conflict` ("Sandbox with name … already exists", as Daytona
 * says it) when a live claim holds it.
 */
export async function claimName(
  home: string,
  name: string,
  sandboxId: string,
): Promise<Result<void, KitError>> {
  const dir = nameDir(home, name);
  await mkdir(dir, { recursive: true });
  const claim: NameClaim = {
    sandboxId,
    owner: { pid: process.pid, startTime: (await processStartTime(process.pid)) ?? "" },
  };
  // Written in full first, then linked: a claim is never seen half-written.
  const draft = join(home, "names", `.draft-${sandboxId}-${process.pid}`);
  await writeFile(draft, JSON.stringify(claim));
  try {
    for (;;) {
      const top = await topSlot(dir);
      if (top !== undefined) {
        const current = await readClaim(dir, top);
        // Gone: pruned under us by a newer claim, so look again. Present but unreadable: it holds nothing.
        if (current === undefined && !(await exists(join(dir, String(top))))) continue;
        if (current !== undefined && (await holds(home, dir, top, current))) {
          return err(kitError.conflict(`Sandbox with name ${name} already exists`));
        }
      }
      const slot = (top ?? -1) + 1;
      try {
        await link(draft, join(dir, String(slot)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
        throw error;
      }
      await prune(dir, slot);
      return ok(undefined);
    }
  } finally {
    await rm(draft, { force: true });
  }
}

/** Frees `name` if `sandboxId` holds it (after a delete, or a create that failed). Never throws. */
export async function releaseName(home: string, name: string, sandboxId: string): Promise<void> {
  const dir = nameDir(home, name);
  for (const slot of await slots(dir)) {
    const claim = await readClaim(dir, slot);
    if (claim?.sandboxId === sandboxId) {
      await writeFile(join(dir, `${slot}.released`), "").catch(() => undefined);
    }
  }
}

/** The id of the sandbox that holds `name` and has a record, or undefined. */
export async function sandboxIdByName(home: string, name: string): Promise<string | undefined> {
  const dir = nameDir(home, name);
  const top = await topSlot(dir);
  if (top === undefined) return undefined;
  const claim = await readClaim(dir, top);
  if (claim === undefined || !(await holds(home, dir, top, claim))) return undefined;
  return (await readMeta(home, claim.sandboxId)) ? claim.sandboxId : undefined;
}

/** Whether the claim in `slot` still holds its name (see the module comment). */
async function holds(home: string, dir: string, slot: number, claim: NameClaim): Promise<boolean> {
  if (await exists(join(dir, `${slot}.released`))) return false;
  const meta = await readMeta(home, claim.sandboxId);
  if (meta !== undefined) {
    if (meta.state !== "creating") return true;
    return meta.owner !== undefined && (await alive(meta.owner));
  }
  return alive(claim.owner);
}

async function alive(owner: NameClaim["owner"]): Promise<boolean> {
  return owner.startTime !== "" && (await processStartTime(owner.pid)) === owner.startTime;
}

/** Slot numbers present in `dir`, ascending. */
async function slots(dir: string): Promise<number[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .sort((a, b) => a - b);
}

async function topSlot(dir: string): Promise<number | undefined> {
  return (await slots(dir)).at(-1);
}

async function readClaim(dir: string, slot: number): Promise<NameClaim | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, String(slot)), "utf8")) as Partial<NameClaim>;
    if (typeof parsed.sandboxId !== "string" || typeof parsed.owner?.pid !== "number") return undefined;
    return parsed as NameClaim;
  } catch {
    return undefined;
  }
}

/** Removes slots (and markers) below `current`: only the highest slot ever decides, and it only grows. */
async function prune(dir: string, current: number): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = /^(\d+)(\.released)?$/.exec(entry);
    if (match && Number(match[1]) < current) await rm(join(dir, entry), { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
