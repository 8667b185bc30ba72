import { startEmulatedDaytona } from "../support/emulated-daytona.js";
import { describeDriverContract } from "./driver-contract.js";

// The chunked upload's join (`cat <part>… > <tmp> && sha256sum <tmp>`) runs in the emulator's shared mini shell,
// byte-exactly, as it does on the memory driver: no command responder needed.
describeDriverContract("daytona (real SDK against the emulator)", async () => {
  const daytona = startEmulatedDaytona();
  const created = await daytona.driver.create({ image: "node:20-slim", timeoutMs: 30_000 });
  if (created.isErr()) throw new Error(created.error.message);
  return { driver: daytona.driver, sandboxId: created.value.id, cleanup: () => daytona.close() };
});
