/** A kit over the emulator-backed Daytona driver, with a fake clock for retries and waits. */
import { createKitWithSeams, type Kit } from "../../src/kit.js";
import type { RetryPolicy } from "../../src/policy/retry.js";
import type { EmulatedDaytona } from "./emulated-daytona.js";
import { type FakeClock, fakeClock } from "./fake-clock.js";

export interface EmulatedKit {
  readonly kit: Kit;
  readonly clock: FakeClock;
}

export function emulatedKit(
  env: EmulatedDaytona,
  retry: RetryPolicy = {},
  ensureMs = 60_000,
  targets?: readonly string[],
): EmulatedKit {
  const clock = fakeClock();
  const kit = createKitWithSeams(
    {
      driver: env.driver,
      retry: { now: clock.now, sleep: clock.sleep, random: () => 0.5, ...retry },
      timeouts: { ensureMs },
      env: {},
      ...(targets ? { targets } : {}),
    },
    { clock, pollMs: 50 },
  );
  return { kit, clock };
}
