import { describe, expect, it } from "vitest";
import { DEFAULT_LOCAL_IMAGE, LOCAL_IMAGES } from "../../../src/driver/local/index.js";
import { chooseLocalImage } from "../../../src/testing/backend/local-image-choice.js";

const build = (dockerfileContent: unknown) => ({ buildInfo: { dockerfileContent } });

describe("chooseLocalImage", () => {
  it("takes the local driver's default when nothing is named", () => {
    expect(chooseLocalImage({})._unsafeUnwrap()).toBe(DEFAULT_LOCAL_IMAGE);
    expect(chooseLocalImage({ snapshot: null })._unsafeUnwrap()).toBe(DEFAULT_LOCAL_IMAGE);
    expect(chooseLocalImage({ snapshot: "" })._unsafeUnwrap()).toBe(DEFAULT_LOCAL_IMAGE);
  });

  it("accepts every local image as a snapshot and as the SDK's image build", () => {
    for (const image of LOCAL_IMAGES) {
      expect(chooseLocalImage({ snapshot: image })._unsafeUnwrap()).toBe(image);
      expect(chooseLocalImage(build(`FROM ${image}\n`))._unsafeUnwrap()).toBe(image);
    }
    expect(chooseLocalImage(build("# base\n\n  from node:20-slim  \n"))._unsafeUnwrap()).toBe("node:20-slim");
  });

  it("answers upstream's not-found wording for an unknown snapshot", () => {
    expect(chooseLocalImage({ snapshot: "daytona-small" })._unsafeUnwrapErr()).toBe(
      "Snapshot daytona-small not found. Did you add it through the Daytona Dashboard?",
    );
  });

  it("refuses an unknown image and names the local ones", () => {
    const message = chooseLocalImage(build("FROM ubuntu:22.04\n"))._unsafeUnwrapErr();
    expect(message).toContain("ubuntu:22.04");
    for (const image of LOCAL_IMAGES) expect(message).toContain(image);
  });

  it("refuses Dockerfiles that need a build, and malformed build bodies", () => {
    for (const content of ["FROM node:20-slim\nRUN pip install x", "", "RUN true", 42, undefined]) {
      expect(chooseLocalImage(build(content))._unsafeUnwrapErr()).toContain("builds no images");
    }
    expect(chooseLocalImage({ buildInfo: "FROM node:20-slim" })._unsafeUnwrapErr()).toContain(
      "builds no images",
    );
  });

  it("treats a prototype key as an unknown snapshot", () => {
    expect(chooseLocalImage({ snapshot: "constructor" }).isErr()).toBe(true);
  });
});
