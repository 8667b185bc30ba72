import { Daytona } from "@daytonaio/sdk";
import { createDaytonaDriver } from "../../src/driver/daytona/index.js";
import { startLocalDaytona } from "../../src/testing/index.js";
import { describeDriverContract } from "./driver-contract.js";

/**
 * The kit's Daytona driver over the real SDK, against a local Daytona server (in-memory back end) over real HTTP on
 * 127.0.0.1: no msw in this file, every request crosses a socket and the Fetch-to-Node adapter (multipart uploads
 * and downloads, sessions, lifecycle), and must answer as msw mode does for the same contract to pass.
 */
describeDriverContract("daytona (real SDK over HTTP against startLocalDaytona)", async () => {
  const local = (await startLocalDaytona())._unsafeUnwrap();
  const clients = Object.fromEntries(
    ["us", "eu"].map((target) => [
      target,
      new Daytona({ apiUrl: local.apiUrl, apiKey: local.apiKey, target, useDeprecatedPolling: true }),
    ]),
  );
  const driver = createDaytonaDriver({
    clients: clients as never,
    targets: ["us", "eu"],
    apiKey: local.apiKey,
    sessionPollMs: 10,
  });
  const created = await driver.create({ image: "node:20-slim", timeoutMs: 30_000 });
  if (created.isErr()) throw new Error(created.error.message);
  return {
    driver,
    sandboxId: created.value.id,
    cleanup: async () => {
      await driver.dispose();
      await local.close();
    },
  };
});
