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
import { forwardingDriver } from "./forwarding.js";
import type { SandboxDriver } from "./types.js";

/** Wraps `driver` so start/stop/delete of the same sandbox id never overlap. */
export function withSerializedLifecycle(driver: SandboxDriver): SandboxDriver {
  const tails = new Map<string, Promise<unknown>>();
  const serialize = <T>(id: string, run: () => ResultAsync<T, KitError>): ResultAsync<T, KitError> => {
    const previous = tails.get(id) ?? Promise.resolve();
    const current = previous.then(() => run());
    const tail = current.then(
      () => undefined,
      () => undefined,
    );
    tails.set(id, tail);
    void tail.then(() => {
      if (tails.get(id) === tail) tails.delete(id);
    });
    return new ResultAsync(current);
  };
  return {
    ...forwardingDriver(driver),
    start: (id, wait) => serialize(id, () => driver.start(id, wait)),
    stop: (id, wait) => serialize(id, () => driver.stop(id, wait)),
    delete: (id, wait) => serialize(id, () => driver.delete(id, wait)),
  };
}
