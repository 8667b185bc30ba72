/**
 * A local Daytona server whose toolbox is real local sandboxes, on a private home (sharing the cached images), for
 * the acceptance tests of the real back end. `close()` stops the server, then deletes every sandbox of the home (the
 * server's and anything a failed test left) and the home itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { type LocalDaytona, startLocalDaytona } from "../../../src/testing/index.js";
import { shareImagesInto } from "../../driver/local/helpers.js";

export {
  IMAGE_BUILD_MS as REAL_SERVER_SETUP_MS,
  skipReason as realServerSkipReason,
} from "../../driver/local/helpers.js";

/** A running server over real sandboxes and how to end it. */
export interface RealServer {
  readonly local: LocalDaytona;
  readonly home: string;
  close(): Promise<void>;
}

/** Starts the server on a fresh home named after `file`. */
export async function startRealServer(file: string): Promise<RealServer> {
  const home = mkdtempSync(join(tmpdir(), `dk-${file}-`));
  if (!(await shareImagesInto(home))) throw new Error("the local base image could not be prepared");
  const started = await startLocalDaytona({ toolbox: "local", home });
  if (started.isErr()) throw new Error(`startLocalDaytona: ${started.error.message}`);
  const local = started.value;
  return {
    local,
    home,
    async close() {
      await local.close();
      const driver = createLocalDriver({ home });
      await driver.deleteAll({ timeoutMs: 120_000 });
      await driver.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
