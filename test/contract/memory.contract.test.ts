import { createMemoryDriver } from "../../src/testing/index.js";
import { describeDriverContract } from "./driver-contract.js";

describeDriverContract("memory (createMemoryDriver from ./testing)", async () => {
  const driver = createMemoryDriver();
  return { driver, sandboxId: driver.seed().id, cleanup: () => driver.dispose() };
});
