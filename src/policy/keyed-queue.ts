/**
 * One task at a time per key, across callers that never see each other: a lifecycle call per sandbox, a first
 * start per sandbox, a command per session.
 * @module
 */

/**
 * A queue per key: each task starts once every earlier task of its key has settled (fulfilled or rejected, so one
 * failure never blocks the next), tasks of different keys run side by side, and a key is forgotten once idle.
 *
 * @example
 * ```ts
 * const inTurn = createKeyedQueue();
 * await Promise.all([inTurn("a", () => slow()), inTurn("a", () => after()), inTurn("b", () => alongside())]);
 * ```
 */
export function createKeyedQueue(): <T>(key: string, task: () => PromiseLike<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => PromiseLike<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => task());
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
