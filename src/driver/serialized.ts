/**
 * A driver decorator that runs the state changes of one sandbox (start, stop, delete) one after another.
 *
 * Why: Daytona's SDK waits for the state it asked for. A `stop()` racing a `start()` on the same sandbox leaves one
 * of them polling a state that will never come until its timeout (60 s by default). In one process that race is
 * avoidable, so the kit avoids it; different sandboxes still change state in parallel.
 * @module
 */
import { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";
import { createKeyedQueue } from "../policy/keyed-queue.js";
import { forwardingDriver } from "./forwarding.js";
import type { SandboxDriver } from "./types.js";

/** Wraps `driver` so start/stop/delete of the same sandbox id never overlap. */
export function withSerializedLifecycle(driver: SandboxDriver): SandboxDriver {
  const inTurn = createKeyedQueue();
  const serialize = <T>(id: string, run: () => ResultAsync<T, KitError>): ResultAsync<T, KitError> =>
    new ResultAsync(inTurn(id, run));
  return {
    ...forwardingDriver(driver),
    start: (id, wait) => serialize(id, () => driver.start(id, wait)),
    stop: (id, wait) => serialize(id, () => driver.stop(id, wait)),
    delete: (id, wait) => serialize(id, () => driver.delete(id, wait)),
  };
}
