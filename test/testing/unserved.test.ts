/**
 * In msw mode, the routes the emulator does not serve answer 501 naming the route (the same handlers the local
 * server uses), so the real SDK raises an error that says what is missing instead of msw's unhandled-request error.
 */
import { describe, expect, it } from "vitest";
import { useEmulator } from "./fixture.js";

const env = useEmulator();

describe("routes not served (msw mode)", () => {
  it("answers a control-plane route the emulator does not serve 501, naming it", async () => {
    const error = await env
      .client()
      .volume.list()
      .then(
        () => undefined,
        (e: unknown) => e as { statusCode?: number; message: string },
      );
    expect(error?.statusCode).toBe(501);
    expect(error?.message).toContain("GET /api/volumes is not served");
  });

  it("answers a toolbox route the emulator does not serve 501, naming it; served routes still answer", async () => {
    const sandbox = await env.client().create();
    const error = await sandbox.git.status("repo").then(
      () => undefined,
      (e: unknown) => e as { statusCode?: number; message: string },
    );
    expect(error?.statusCode).toBe(501);
    expect(error?.message).toContain(`/toolbox/${sandbox.id}/git/status is not served`);
    expect((await sandbox.process.executeCommand("echo still")).result).toBe("still\n");
    // The request log names served routes only: the 501 is not in it.
    expect(env.emulator.requests.some((r) => r.url.includes("/git/"))).toBe(false);
  });
});
