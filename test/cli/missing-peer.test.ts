import { describe, expect, it } from "vitest";
import { missingPeerHint } from "../../src/cli/missing-peer.js";

const notFound = (message: string, code = "ERR_MODULE_NOT_FOUND") =>
  Object.assign(new Error(message), { code });

describe("the bin without its optional peers", () => {
  it("names the missing peer and the install line", () => {
    const hint = missingPeerHint(notFound("Cannot find package 'msw' imported from /app/dist/chunk.js"));
    expect(hint).toContain("optional peer dependency msw");
    expect(hint).toContain("npm install --save-dev msw @hono/node-server hono");
    expect(missingPeerHint(notFound("Cannot find module '@hono/node-server'", "MODULE_NOT_FOUND"))).toContain(
      "@hono/node-server",
    );
  });

  it("stays out of every other failure", () => {
    expect(missingPeerHint(notFound("Cannot find package 'left-pad'"))).toBeUndefined();
    expect(missingPeerHint(new Error("Cannot find package 'msw'"))).toBeUndefined();
    expect(missingPeerHint(null)).toBeUndefined();
    expect(missingPeerHint("msw")).toBeUndefined();
  });
});
