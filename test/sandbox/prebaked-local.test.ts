/**
 * End to end on the local driver (issue 15's acceptance): `kit.prebake({ git, postgres: { database: "app" }, redis })`
 * builds a cached layer once; a new sandbox from it has PostgreSQL answering with the database `app` and Redis
 * answering PING when its first `ensure` returns, with 0 `apt-get` runs in that sandbox (counted on every command
 * the kit sends through the driver); a second prebake of the same spec sends no command at all.
 *
 * A private home (sharing the cached base images) so the layer is built here and every count is this file's own.
 * The build installs packages from the host's Debian mirror, like the provisioners' e2e.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../src/driver/local/index.js";
import type { SandboxDriver } from "../../src/driver/types.js";
import { createKit } from "../../src/kit.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "../driver/local/helpers.js";

const spec = { git: true, postgres: { database: "app" }, redis: true } as const;

describe.skipIf(skipReason !== undefined)("a prebaked environment on the local driver", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-prebaked-e2e-"));
  const local = createLocalDriver({ home, onImageProgress: () => undefined });
  /** Every command the kit sends, with the sandbox it went to. */
  const sent: { id: string; command: string }[] = [];
  const driver: SandboxDriver = {
    ...local,
    exec: (id, request) => {
      sent.push({ id, command: request.command });
      return local.exec(id, request);
    },
  };
  const kit = createKit({ driver });

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    await kit.dispose();
    await local.deleteAll();
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("starts PostgreSQL (database app) and Redis in the first ensure without any apt-get, and builds once", async () => {
    const log: string[] = [];
    const built = await kit.prebake(spec, { onLog: (line) => log.push(line), timeoutMs: 1_200_000 });
    expect(built._unsafeUnwrap()).toMatchObject({ built: true });
    expect(log.some((line) => line.startsWith("$ "))).toBe(true);

    // The same spec again: found, nothing built, not one command sent.
    sent.length = 0;
    const again: string[] = [];
    const second = await kit.prebake(spec, { onLog: (line) => again.push(line) });
    expect(second._unsafeUnwrap()).toMatchObject({ built: false, name: built._unsafeUnwrap().name });
    expect(sent).toEqual([]);
    expect(again).toEqual([]);

    const sandbox = (await kit.ensure({ projectId: "prebaked-e2e", prebaked: spec }))._unsafeUnwrap();
    const ensureCommands = sent.filter((c) => c.id === sandbox.id).map((c) => c.command);
    expect(ensureCommands.length).toBeGreaterThan(0);
    expect(ensureCommands.filter((command) => command.includes("apt-get"))).toEqual([]);
    expect(sandbox.services.postgres.url).toBe("postgresql://postgres@localhost:5432/app");
    expect(sandbox.services.redis.url).toBe("redis://127.0.0.1:6379");

    // Answering right after the first ensure, with nothing else started.
    const database = await sandbox.exec("psql -U postgres -d app -tAc 'select current_database()'", {
      timeoutMs: 30_000,
    });
    expect(database._unsafeUnwrap().output.trim()).toBe("app");
    const ping = await sandbox.exec("redis-cli -h 127.0.0.1 -p 6379 ping", { timeoutMs: 30_000 });
    expect(ping._unsafeUnwrap().output.trim()).toBe("PONG");
    const git = await sandbox.exec("git --version", { timeoutMs: 30_000 });
    expect(git._unsafeUnwrap().output).toMatch(/^git version /);

    // The layer is listed with its size, under the kit's prefix.
    const listed = (await kit.prebaked.list())._unsafeUnwrap();
    expect(listed.map((entry) => entry.name)).toEqual([built._unsafeUnwrap().name]);
    expect(listed[0]!.sizeBytes).toBeGreaterThan(1_000_000);
  }, 1_500_000);
});
