/**
 * Type tests of the public API's promises: batch entries are text XOR bytes, `provision.all()` results carry
 * exactly the services requested, and every fallible call is a Result that narrows.
 */
import type { ResultAsync } from "neverthrow";
import { describe, expectTypeOf, it } from "vitest";
import type { AllResultFor, Kit, KitError, KitSandbox, Provision, WriteFileEntry } from "../../src/index.js";

declare const sandbox: KitSandbox;
declare const kit: Kit;

describe("WriteFileEntry", () => {
  it("takes text or bytes, never both and never neither", () => {
    expectTypeOf<{ path: "a"; text: "x" }>().toExtend<WriteFileEntry>();
    expectTypeOf<{ path: "a"; bytes: Uint8Array }>().toExtend<WriteFileEntry>();
    expectTypeOf<{ path: "a"; text: "x"; bytes: Uint8Array }>().not.toExtend<WriteFileEntry>();
    expectTypeOf<{ path: "a" }>().not.toExtend<WriteFileEntry>();
    // @ts-expect-error text and bytes together
    const both: WriteFileEntry = { path: "a", text: "x", bytes: new Uint8Array() };
    void both;
  });
});

describe("provision.all()", () => {
  it("returns each requested service without `?`, and no other", async () => {
    const done = await sandbox.provision.all({ git: true, postgres: { database: "app" } });
    if (done.isErr()) return;
    expectTypeOf(done.value.git).toEqualTypeOf<Provision.GitResult>();
    expectTypeOf(done.value.postgres).toEqualTypeOf<Provision.PostgresResult>();
    expectTypeOf(done.value.postgres.url).toEqualTypeOf<string>();
    // @ts-expect-error redis was not requested
    done.value.redis;
  });

  it("leaves out services passed as false, keeps maybe-requested ones optional", () => {
    type Result = AllResultFor<{ git: false; redis: boolean; postgres: true }>;
    expectTypeOf<Result>().toEqualTypeOf<
      { readonly postgres: Provision.PostgresResult } & { readonly redis?: Provision.RedisResult }
    >();
    expectTypeOf<keyof AllResultFor<{ git: false }>>().toEqualTypeOf<never>();
  });
});

describe("kit.ensure({ prebaked })", () => {
  it("returns the sandbox with the spec's services typed like provision.all's result", async () => {
    const done = await kit.ensure({
      projectId: "blog",
      prebaked: { postgres: { database: "app" }, redis: true },
    });
    if (done.isErr()) return;
    expectTypeOf(done.value).toExtend<KitSandbox>();
    expectTypeOf(done.value.services.postgres.url).toEqualTypeOf<string>();
    expectTypeOf(done.value.services.redis).toEqualTypeOf<Provision.RedisResult>();
    // @ts-expect-error git was not requested
    done.value.services.git;
  });

  it("takes node as true/false or a Node major, never a string", () => {
    expectTypeOf<{ node: 20; apt: ["jq"] }>().toExtend<Provision.PrebakeSpec>();
    expectTypeOf<{ node: true }>().toExtend<Provision.PrebakeSpec>();
    expectTypeOf<{ node: "20" }>().not.toExtend<Provision.PrebakeSpec>();
    kit.ensure({ projectId: "blog", prebaked: { node: 20, git: true } });
  });

  it("a plain ensure has no services", async () => {
    const done = await kit.ensure({ projectId: "blog" });
    if (done.isErr()) return;
    expectTypeOf(done.value).toEqualTypeOf<KitSandbox>();
    // @ts-expect-error no prebaked spec, no services
    done.value.services;
  });
});

describe("Results", () => {
  it("every fallible sandbox call is a ResultAsync of KitError", () => {
    expectTypeOf(sandbox.fs.readText).returns.toEqualTypeOf<ResultAsync<string, KitError>>();
    expectTypeOf(sandbox.exec).returns.toExtend<ResultAsync<unknown, KitError>>();
    expectTypeOf(sandbox.stop).returns.toExtend<ResultAsync<unknown, KitError>>();
  });

  it("narrows on isOk / isErr", async () => {
    const read = await sandbox.fs.readText("a.txt");
    if (read.isOk()) expectTypeOf(read.value).toEqualTypeOf<string>();
    else expectTypeOf(read.error).toEqualTypeOf<KitError>();
  });
});
