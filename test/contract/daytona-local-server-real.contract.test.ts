import { Daytona } from "@daytonaio/sdk";
import { createDaytonaDriver } from "../../src/driver/daytona/index.js";
import { REAL_SERVER_SETUP_MS, realServerSkipReason, startRealServer } from "../testing/serve/real-server.js";
import { describeDriverContract } from "./driver-contract.js";

/**
 * The kit's Daytona driver over the real SDK, against a local Daytona server whose toolbox is a real local sandbox:
 * every file and command of the contract crosses HTTP, the route table, and a real shell in a real sandbox (the
 * whole suite: it takes seconds, not minutes).
 */
describeDriverContract(
  "daytona (real SDK over HTTP against startLocalDaytona with real sandboxes)",
  async () => {
    const server = await startRealServer("contract-real");
    const { local } = server;
    const client = new Daytona({
      apiUrl: local.apiUrl,
      apiKey: local.apiKey,
      target: local.target,
      useDeprecatedPolling: true,
    });
    const driver = createDaytonaDriver({
      clients: { [local.target]: client } as never,
      targets: [local.target],
      apiKey: local.apiKey,
      sessionPollMs: 50,
    });
    const created = await driver.create({ image: "node:20-slim", timeoutMs: 120_000 });
    if (created.isErr()) {
      await server.close();
      throw new Error(created.error.message);
    }
    return {
      driver,
      sandboxId: created.value.id,
      cleanup: async () => {
        await driver.dispose();
        await server.close();
      },
    };
  },
  {
    setupTimeoutMs: REAL_SERVER_SETUP_MS,
    ...(realServerSkipReason ? { skip: realServerSkipReason } : {}),
  },
);
