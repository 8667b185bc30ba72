/**
 * Which local image a Daytona create body asks for. With the real back end, Daytona's snapshots and images both name
 * the local driver's images: `snapshot: "node:20-slim"`, or the SDK's `image: "node:20-slim"` (sent as a build whose
 * Dockerfile is the single line `FROM node:20-slim`). Nothing is built locally, so any other Dockerfile is refused.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { DEFAULT_LOCAL_IMAGE, LOCAL_IMAGES } from "../../driver/local/index.js";

/** The parts of a create body that choose the image. */
export interface ImageRequest {
  readonly snapshot?: unknown;
  readonly buildInfo?: unknown;
}

const known = (images: readonly string[]) => `the local images are ${images.join(", ")}`;

/** The image of a Dockerfile that is one `FROM <image>` line (blank lines and comments aside), else `undefined`. */
function fromOnly(dockerfile: string): string | undefined {
  const lines = dockerfile
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const match = lines.length === 1 ? /^FROM\s+(\S+)$/i.exec(lines[0] ?? "") : null;
  return match?.[1];
}

/**
 * The local image `body` asks for, or the 400 message: an unknown snapshot answers upstream's "not found" wording;
 * an unknown image, or a Dockerfile that would need a build, names the images there are.
 */
export function chooseLocalImage(
  body: ImageRequest,
  images: readonly string[] = LOCAL_IMAGES,
  fallback: string = DEFAULT_LOCAL_IMAGE,
): Result<string, string> {
  if (body.buildInfo !== undefined && body.buildInfo !== null) {
    const dockerfile = (body.buildInfo as { dockerfileContent?: unknown }).dockerfileContent;
    const image = typeof dockerfile === "string" ? fromOnly(dockerfile) : undefined;
    if (image === undefined) {
      return err(
        `daytona-kit builds no images: only a Dockerfile that is one FROM line is served; ${known(images)}`,
      );
    }
    return images.includes(image)
      ? ok(image)
      : err(`Image ${image} is not available locally: ${known(images)}`);
  }
  if (body.snapshot === undefined || body.snapshot === null || body.snapshot === "") return ok(fallback);
  const name = String(body.snapshot);
  if (images.includes(name)) return ok(name);
  return err(`Snapshot ${name} not found. Did you add it through the Daytona Dashboard?`);
}
