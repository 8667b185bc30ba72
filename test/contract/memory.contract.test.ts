import { createMemoryDriver } from "../support/memory-driver.js";
import { describeDriverContract } from "./driver-contract.js";

describeDriverContract("memory (test double)", async () => {
  const driver = createMemoryDriver();
  return { driver, sandboxId: driver.createStarted(), cleanup: () => driver.dispose() };
});
