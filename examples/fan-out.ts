/**
 * `kit.fanOut`: ensure many projects' sandboxes and run work in each, a few at a time, with every project's
 * outcome in input order. Runs on the in-memory driver so it works anywhere: `npx tsx examples/fan-out.ts`.
 * With Daytona, pass `rateLimits` for your organisation's tier (see docs/scaling.md).
 */
import { createKit } from "@apex/daytona-kit";
import { createMemoryDriver } from "@apex/daytona-kit/testing";

await using kit = createKit({ driver: createMemoryDriver() });
const projects = ["blog", "shop", "docs", "not a valid id!", "api", "blog"];

const report = await kit.fanOut(
  projects,
  async (sandbox, { projectId }) => {
    if (projectId === "api") throw new Error("the build script is missing");
    await sandbox.fs.writeText("build/out.txt", `built ${projectId}\n`);
    return (await sandbox.exec("cat build/out.txt"))._unsafeUnwrap().output.trim();
  },
  {
    concurrency: 2,
    rateLimits: { "sandbox-create": { limit: 600, windowMs: 60_000 } },
    onProgress: ({ projectId, state, done, total }) => {
      if (state !== "started") console.log(`progress: ${done}/${total} ${projectId} ${state}`);
    },
  },
);

const { results, summary } = report._unsafeUnwrap();
for (const { projectId, result } of results) {
  console.log(
    `${projectId}: ${result.isOk() ? result.value : `${result.error.kind} (${result.error.message})`}`,
  );
}
console.log("summary:", JSON.stringify(summary));
