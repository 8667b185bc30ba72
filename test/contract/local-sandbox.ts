/**
 * Shared setup of the tests that need a real local sandbox: why they skip, and one sandbox per file, deleted after.
 */
import type { LocalDriver } from "../../src/driver/local/index.js";
import { IMAGE_BUILD_MS, skipReason, testDriver } from "../driver/local/helpers.js";

/** Why a real local sandbox cannot run here, or undefined when it can. */
export const localSkipReason: string | undefined = skipReason;

/** Building the base image on a cold machine takes minutes. */
export const LOCAL_SETUP_MS = IMAGE_BUILD_MS;

/** Creates a local driver and one started sandbox labelled for this file; `cleanup` deletes it. */
export async function startLocalSandbox(
  file: string,
): Promise<{ driver: LocalDriver; sandboxId: string; cleanup(): Promise<void> }> {
  const { driver, labels } = testDriver(file);
  const created = await driver.create({ labels, timeoutMs: LOCAL_SETUP_MS });
  if (created.isErr()) throw new Error(`local sandbox: ${created.error.message}`);
  return {
    driver,
    sandboxId: created.value.id,
    async cleanup() {
      const boxes = await driver.list({ labels });
      if (boxes.isOk()) for (const box of boxes.value) await driver.delete(box.id, { timeoutMs: 30_000 });
      await driver.dispose();
    },
  };
}
