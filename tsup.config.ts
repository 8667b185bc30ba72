import { defineConfig } from "tsup";

// p-retry and p-limit are ESM-only: bundle them so the CJS build loads under require() on Node 20.
// The Daytona SDK, msw and @hono/node-server stay external: the SDK is loaded lazily, msw is an optional peer of
// ./testing, @hono/node-server an optional peer loaded only to serve (startLocalDaytona, the daytona-kit bin).
export default defineConfig({
  entry: {
    index: "src/index.ts",
    daytona: "src/daytona.ts",
    local: "src/local.ts",
    "testing/index": "src/testing/index.ts",
    "cli/daytona-kit": "src/cli/daytona-kit.ts",
  },
  format: ["esm", "cjs"],
  // `@internal` members (test seams) stay out of the published declarations.
  dts: { compilerOptions: { stripInternal: true } },
  clean: true,
  sourcemap: false,
  target: "node20",
  platform: "node",
  splitting: true,
  treeshake: true,
  noExternal: ["p-retry", "p-limit", "is-network-error", "yocto-queue"],
  external: ["@daytonaio/sdk", "@daytona/sdk", "msw", "neverthrow", "@hono/node-server"],
});
