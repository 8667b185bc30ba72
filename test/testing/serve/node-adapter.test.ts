/**
 * `@hono/node-server` is an optional peer: when it is missing, starting a server is `Unsupported` and names the
 * package to install; any other failure to load it is `Unexpected` (not blamed on a missing install).
 */
import { describe, expect, it } from "vitest";
import { ADAPTER_INSTALL_HINT, loadNodeAdapter } from "../../../src/testing/serve/node-adapter.js";

const failing = (code: string) => () =>
  Promise.reject(Object.assign(new Error(`Cannot find package '@hono/node-server'`), { code }));

describe("loading the Fetch-to-Node adapter", () => {
  it("loads the installed package", async () => {
    const adapter = (await loadNodeAdapter())._unsafeUnwrap();
    expect(typeof adapter.getRequestListener).toBe("function");
    expect(adapter.alreadySent.headers.get("x-hono-already-sent")).toBe("true");
  });

  it("is Unsupported, naming the package to install, when the module is missing (ESM or CJS)", async () => {
    for (const code of ["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"]) {
      const error = (await loadNodeAdapter(failing(code)))._unsafeUnwrapErr();
      expect(error).toMatchObject({ kind: "Unsupported", hint: ADAPTER_INSTALL_HINT });
      expect(error.message).toContain("npm install --save-dev @hono/node-server");
    }
  });

  it("is Unexpected for any other failure", async () => {
    const error = (await loadNodeAdapter(failing("EACCES")))._unsafeUnwrapErr();
    expect(error.kind).toBe("Unexpected");
    expect(error.message).toContain("Loading @hono/node-server failed");
  });
});
