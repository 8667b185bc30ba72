/**
 * Test fixture: the Daytona emulator (msw) with the REAL SDK, wrapped by the Daytona driver.
 * One per test file: msw patches the process's fetch/http once.
 */
import { Daytona } from "@daytonaio/sdk";
import { createDaytonaDriver } from "../../src/driver/daytona/index.js";
import type { SandboxDriver } from "../../src/driver/types.js";
import {
  createDaytonaEmulator,
  type DaytonaEmulator,
  type DaytonaEmulatorOptions,
} from "../../src/testing/index.js";

export interface EmulatedDaytona {
  readonly emulator: DaytonaEmulator;
  readonly driver: SandboxDriver;
  /** One real SDK client per target, pointed at the emulator. */
  readonly clients: Record<string, Daytona>;
  close(): Promise<void>;
}

/** Starts an emulator and a Daytona driver with one SDK client per target. */
export function startEmulatedDaytona(
  options: DaytonaEmulatorOptions & { targets?: string[]; sessionPollMs?: number } = {},
): EmulatedDaytona {
  const { targets = ["us", "eu"], sessionPollMs = 10, ...emulatorOptions } = options;
  const emulator = createDaytonaEmulator(emulatorOptions);
  emulator.listen();
  const clients = Object.fromEntries(targets.map((t) => [t, new Daytona(emulator.clientConfig(t))]));
  const driver = createDaytonaDriver({
    clients: clients as never,
    targets,
    apiKey: emulator.clientConfig().apiKey,
    sessionPollMs,
  });
  return {
    emulator,
    driver,
    clients,
    async close() {
      await driver.dispose();
      emulator.close();
    },
  };
}
