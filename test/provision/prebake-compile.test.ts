/**
 * One definition, two uses: a prebake spec compiles to the install commands a driver bakes in (the same shell text
 * `provision.all` runs) and to the per-sandbox steps (no apt-get). The image name follows the content.
 */
import { describe, expect, it } from "vitest";
import { applyRecipe } from "../../src/provision/engine.js";
import { createProvisioner } from "../../src/provision/index.js";
import { compilePrebake } from "../../src/provision/prebake-compile.js";
import { BOOKWORM_REPORTS, createFakeExec, createFakeWriter } from "./fake-exec.js";

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

const IMAGE = "python:3.12-slim-bookworm";
const spec = {
  git: { email: "ada@example.com", name: "Ada" },
  postgres: { database: "app", port: 5432 },
  redis: true,
  apt: ["curl", "jq"],
} as const;
const compile = (value: unknown, image = IMAGE) => compilePrebake(value, image)._unsafeUnwrap();
const planSteps = (options: Loose) =>
  createProvisioner({ exec: createFakeExec().exec, writeText: createFakeWriter().writeText })
    .plan.all(options)
    ._unsafeUnwrap();

describe("compilePrebake: node", () => {
  it("builds on node:<major>-slim for a Node major, with nothing from apt for Node", () => {
    const { plan } = compile({ apt: ["jq"], node: 20 });
    expect(plan.baseImage).toBe("node:20-slim");
    expect(plan.commands.join("\n")).toContain(" jq;");
    expect(plan.commands.join("\n")).not.toMatch(/nodejs|npm/);
  });

  it("names a different image for each major, and the same one as baseImage: node:<major>-slim", () => {
    const on = (node: number) => compile({ apt: ["jq"], node }).plan;
    expect(on(22).baseImage).toBe("node:22-slim");
    expect(on(18).name).not.toBe(on(20).name);
    expect(on(20).name).not.toBe(on(22).name);
    expect(compile({ apt: ["jq"], baseImage: "node:20-slim" }).plan).toEqual(on(20));
    expect(compile({ apt: ["jq"], node: 20, baseImage: "node:20-slim" }).plan).toEqual(on(20));
  });

  it("keeps node: true as Debian's nodejs and npm on the default image", () => {
    const { plan } = compile({ apt: ["jq"], node: true });
    expect(plan.baseImage).toBe(IMAGE);
    expect(plan.commands.join("\n")).toContain("jq nodejs npm;");
    expect(compile({ apt: ["jq"], node: false }).plan).toEqual(compile({ apt: ["jq"] }).plan);
  });

  it("refuses a major with another baseImage, naming spec.node and both answers", () => {
    const error = compilePrebake(
      { git: true, node: 20, baseImage: "debian:bookworm-slim" },
      IMAGE,
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "InvalidArgument", argument: "spec.node" });
    expect(error.message).toContain("node:20-slim");
    expect(error.message).toContain('"debian:bookworm-slim"');
  });

  it.each([
    ["20.5", 20.5],
    ['"20"', "20"],
    ["NaN", Number.NaN],
    ["-1", -1],
    ["1e9", 1e9],
    ["null", null],
  ])("refuses node: %s as InvalidArgument naming spec.node", (_label, node) => {
    const error = compilePrebake({ git: true, node }, IMAGE)._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "InvalidArgument", argument: "spec.node" });
    expect(error.message).toMatch(
      /spec\.node must be true, false or a Node\.js major version \(an integer from 18 to 99/,
    );
  });

  it("refuses a spec whose only content is a Node major: the base image alone is nothing to prebake", () => {
    const error = compilePrebake({ node: 20 }, IMAGE)._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "InvalidArgument", argument: "spec" });
    expect(error.message).toContain("only picks the base image");
  });
});

describe("compilePrebake: names", () => {
  it("names the same spec the same in any key order, nested keys included", () => {
    const reordered = {
      apt: ["jq", "curl", "curl"],
      redis: true,
      postgres: { port: 5432, database: "app" },
      git: { name: "Ada", email: "ada@example.com" },
    };
    expect(compile(reordered).plan).toEqual(compile(spec).plan);
    expect(compile(spec).plan.name).toMatch(/^apex-prebaked-[0-9a-f]{16}$/);
  });

  it("names a new image for every change the image would show, and the base image", () => {
    const names = [
      compile(spec),
      compile({ ...spec, apt: ["curl"] }),
      compile({ ...spec, postgres: { database: "app", port: 5433 } }),
      compile({ ...spec, redis: false }),
      compile({ ...spec, node: true }),
      compile(spec, "debian:12-slim"),
      compile({ ...spec, baseImage: "node:20-slim" }),
      compile({ ...spec, node: 22 }),
    ].map((c) => c.plan.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("keeps the name when only per-sandbox settings change (database, git identity, ready timeouts)", () => {
    const perSandboxOnly = {
      ...spec,
      git: { email: "bob@example.com", name: "Bob", init: "/workspace/app" },
      postgres: { database: "other", port: 5432, readyTimeoutMs: 5_000 },
      redis: { readyTimeoutMs: 9_000 },
    };
    expect(compile(perSandboxOnly).plan.name).toBe(compile(spec).plan.name);
    expect(compile(perSandboxOnly).perSandbox).not.toEqual(compile(spec).perSandbox);
  });
});

describe("compilePrebake: the install part", () => {
  it("holds exactly one apt-get install, over the union of the services' packages and the spec's", () => {
    const { plan } = compile({ ...spec, node: true });
    const installs = plan.commands.filter((command) => command.includes("apt-get install"));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain(
      "for p in git postgresql postgresql-client redis-server curl jq nodejs npm;",
    );
    expect(plan.commands.filter((command) => /^apt-get update/.test(command))).toHaveLength(1);
    expect(plan.baseImage).toBe(IMAGE);
    expect(plan.labels).toEqual({ "apex.prebaked": "true" });
  });

  it("is the very shell text provision.all runs for its install steps (one definition)", () => {
    const all = planSteps({ git: spec.git, postgres: spec.postgres, redis: true });
    const install = all.filter((s) => /^(apt|postgres\.(cluster|configure))\./.test(`${s.name}.`));
    expect(install.map((s) => s.name)).toEqual([
      "apt.update",
      "apt.install",
      "postgres.cluster",
      "postgres.configure",
    ]);
    const { plan } = compile({ git: spec.git, postgres: spec.postgres, redis: true });
    expect(plan.commands).toEqual(install.map((s) => s.command));
  });
});

describe("compilePrebake: the per-sandbox part", () => {
  it("starts the servers, creates the database and writes the identity, with no apt-get or dpkg at all", () => {
    const { perSandbox } = compile({ ...spec, node: true });
    expect(perSandbox.map((s) => s.name)).toEqual([
      "git.config",
      "postgres.start",
      "postgres.database",
      "redis.start",
    ]);
    for (const step of perSandbox) {
      expect(`${step.command}\n${step.check}`).not.toMatch(/apt-get|dpkg/);
    }
    // The same steps provision.all runs, in the same order: only the install steps are left out.
    const all = planSteps({ git: spec.git, postgres: spec.postgres, redis: true });
    const names = new Set(perSandbox.map((s) => s.name));
    expect(all.filter((s) => names.has(s.name))).toEqual(perSandbox);
  });

  it("runs on a baked sandbox with 0 apt-get and returns the services' URLs", async () => {
    const recipes = compilePrebake(spec, IMAGE)._unsafeUnwrap();
    const fake = createFakeExec({ report: (name) => ({ output: BOOKWORM_REPORTS[name] ?? "" }) });
    const services = (await applyRecipe(fake.exec, recipes.start))._unsafeUnwrap();
    expect(services.postgres?.url).toBe("postgresql://postgres@localhost:5432/app");
    expect(services.redis?.url).toBe("redis://127.0.0.1:6379");
    expect(services.git?.email).toBe("ada@example.com");
    expect(fake.matching(/apt-get|dpkg/)).toEqual([]);
    expect(fake.stepCommands()).toEqual(recipes.perSandbox.map((s) => s.command));
  });

  it("keeps provision.all's recipe for any other sandbox: install steps first, checked, then the same steps", () => {
    const recipes = compilePrebake({ git: true, postgres: true, redis: true }, IMAGE)._unsafeUnwrap();
    expect(recipes.full.steps).toEqual(planSteps({ git: true, postgres: true, redis: true }));
  });
});

describe("compilePrebake: hostile specs", () => {
  const hostile: unknown[] = [
    undefined,
    null,
    [],
    "git",
    42,
    {},
    { baseImage: "debian:12-slim" },
    { git: "yes" },
    { git: null },
    { postgres: { port: 1e9 } },
    { postgres: { port: "5432" } },
    { postgres: { database: "app; drop" } },
    { redis: { readyTimeoutMs: 1e12 } },
    { apt: "curl" },
    { apt: ["curl; rm -rf /"] },
    { apt: ["-o"] },
    { apt: ["../etc"] },
    { apt: ["Curl"] },
    { apt: [null] },
    { apt: ["x".repeat(200)] },
    { apt: Array.from({ length: 201 }, (_, i) => `pkg${i}`) },
    { git: true, node: 1 },
    { git: true, node: "20" },
    { git: true, node: null },
    { git: true, node: Number.NaN },
    { git: true, node: 20.5 },
    { git: true, node: -1 },
    { git: true, node: 17 },
    { git: true, node: 100 },
    { git: true, node: 1e9 },
    { git: true, node: Number.POSITIVE_INFINITY },
    { git: true, node: [20] },
    { git: true, node: 20, baseImage: "debian:bookworm-slim" },
    { git: true, node: 20, baseImage: "node:22-slim" },
    { node: 20 },
    { git: true, baseImage: "../../etc" },
    { git: true, baseImage: "a b" },
    { git: true, baseImage: "x;y" },
    { git: true, baseImage: "" },
    { git: true, baseImage: 7 },
    { git: true, aptTimeoutMs: 1e12 },
    { git: true, aptTimeoutMs: -1 },
    { git: true, unknown: 1 },
    { git: true, onEvent: () => undefined },
    { git: { email: "not an email" } },
    JSON.parse('{"git": true, "__proto__": {"apt": ["x"]}}'),
  ];
  it.each(hostile.map((value) => [JSON.stringify(value) ?? String(value), value]))(
    "refuses %s with InvalidArgument",
    (_label, value) => {
      const result = compilePrebake(value, IMAGE);
      expect(result.isErr()).toBe(true);
      expect(result._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    },
  );
});
