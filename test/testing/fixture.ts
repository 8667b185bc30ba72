import { Daytona, type DaytonaConfig } from "@daytonaio/sdk";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  createDaytonaEmulator,
  type DaytonaEmulator,
  type DaytonaEmulatorOptions,
} from "../../src/testing/index.js";

/**
 * One msw server per test file (msw patches globals once). `client()` builds a real SDK client disposed after each
 * test; `withOptions()` swaps in an emulator with other options for one test (its handlers take precedence).
 */
export function useEmulator(options: DaytonaEmulatorOptions = {}) {
  const base = createDaytonaEmulator(options);
  let server: ReturnType<DaytonaEmulator["listen"]>;
  let current: DaytonaEmulator = base;
  const clients: Daytona[] = [];

  beforeAll(() => {
    server = base.listen();
  });
  afterEach(async () => {
    for (const daytona of clients.splice(0)) await daytona[Symbol.asyncDispose]();
    server.resetHandlers();
    base.reset();
    current = base;
  });
  afterAll(() => base.close());

  return {
    get emulator(): DaytonaEmulator {
      return current;
    },
    client(target?: string, extra: Partial<DaytonaConfig> = {}): Daytona {
      const daytona = new Daytona({ ...current.clientConfig(target), ...extra });
      clients.push(daytona);
      return daytona;
    },
    withOptions(more: DaytonaEmulatorOptions): DaytonaEmulator {
      current = createDaytonaEmulator({ ...options, ...more });
      server.use(...current.handlers);
      return current;
    },
  };
}
