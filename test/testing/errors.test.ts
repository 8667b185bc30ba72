import {
  Daytona,
  DaytonaAuthenticationError,
  DaytonaAuthorizationError,
  DaytonaForbiddenError,
  DaytonaNotFoundError,
} from "@daytonaio/sdk";
import { describe, expect, it } from "vitest";
import { useEmulator } from "./fixture.js";

const env = useEmulator({ regions: { known: ["us", "eu"], available: ["eu"] } });

describe("regions", () => {
  it("answers the real 403 for a known region that is not available", async () => {
    const failure = await env
      .client("us")
      .create()
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaAuthorizationError);
    expect(failure).toBeInstanceOf(DaytonaForbiddenError);
    expect(failure).toMatchObject({
      statusCode: 403,
      message: "Region us is not available to the organization for class container",
      code: "FORBIDDEN",
      source: "DAYTONA_API",
    });
    expect(env.emulator.sandboxes.list()).toEqual([]);
  });

  it("answers the older message with legacyRegionMessage", async () => {
    env.withOptions({ legacyRegionMessage: true });
    await expect(env.client("us").create()).rejects.toMatchObject({
      statusCode: 403,
      message: "Region us is not available to the organization",
    });
  });

  it("answers 404 Region not found for an unknown target", async () => {
    const failure = await env
      .client("mars")
      .create()
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaNotFoundError);
    expect(failure).toMatchObject({ statusCode: 404, message: "Region not found" });
  });

  it("creates in an available region", async () => {
    const sandbox = await env.client("eu").create();
    expect(env.emulator.sandboxes.get(sandbox.id)?.target).toBe("eu");
  });

  it("uses the first available region when the body has no target", async () => {
    const { apiKey, apiUrl } = env.emulator.clientConfig();
    const previous = process.env.DAYTONA_TARGET;
    delete process.env.DAYTONA_TARGET;
    const daytona = new Daytona({ apiKey, apiUrl, useDeprecatedPolling: true });
    try {
      const sandbox = await daytona.create();
      const record = env.emulator.sandboxes.get(sandbox.id);
      expect(record?.createBody?.target).toBeUndefined();
      expect(record?.target).toBe("eu");
    } finally {
      await daytona[Symbol.asyncDispose]();
      if (previous !== undefined) process.env.DAYTONA_TARGET = previous;
    }
  });
});

describe("auth", () => {
  it("answers 401 with Daytona's body for a wrong API key", async () => {
    const failure = await env
      .client("eu", { apiKey: "wrong" })
      .create()
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaAuthenticationError);
    expect(failure).toMatchObject({ statusCode: 401, message: "Unauthorized" });
    expect(env.emulator.requests).toEqual([expect.objectContaining({ route: "POST /sandbox", status: 401 })]);
  });

  it("checks the Bearer key on toolbox calls too", async () => {
    const seeded = env.emulator.sandboxes.seed();
    const url = `${env.emulator.toolboxUrl}/${seeded.id}/files?path=/`;
    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ statusCode: 401, message: "Unauthorized" });
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${env.emulator.apiKey}` } });
    expect(ok.status).toBe(200);
  });
});
