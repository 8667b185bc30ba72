import { describeDriverContract } from "./driver-contract.js";
import { LOCAL_SETUP_MS, localSkipReason, startLocalSandbox } from "./local-sandbox.js";

describeDriverContract("local (real Debian sandbox)", () => startLocalSandbox("contract"), {
  setupTimeoutMs: LOCAL_SETUP_MS,
  ...(localSkipReason ? { skip: localSkipReason } : {}),
});
