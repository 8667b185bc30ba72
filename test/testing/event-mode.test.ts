import { describe, expect, it } from "vitest";
import { useEmulator } from "./fixture.js";

const env = useEmulator();

describe("event mode", () => {
  it("answers the SDK's socket.io probe with a network error, and the SDK still works by polling", async () => {
    const daytona = env.client(undefined, { useDeprecatedPolling: false });
    const sandbox = await daytona.create();
    expect(sandbox.state).toBe("started");
    await expect.poll(() => env.emulator.count("GET /socket.io")).toBeGreaterThan(0);
    expect(env.emulator.requests.find((r) => r.route === "GET /socket.io")?.status).toBe(0);
  });
});
