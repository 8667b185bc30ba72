import { defineConfig } from "tsup";

// p-retry and p-limit are ESM-only: bundle them so the CJS build loads under require() on Node 20.
// The Daytona SDK and msw stay external: the SDK is loaded lazily, msw is an optional peer of ./testing.
export default defineConfig({
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "node20",
  platform: "node",
  splitting: false,
  treeshake: true,
  noExternal: ["p-retry", "p-limit", "is-network-error", "yocto-queue"],
  external: ["@daytonaio/sdk", "@daytona/sdk", "msw", "neverthrow"],
});
