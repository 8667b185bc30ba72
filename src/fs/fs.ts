/**
 * `createSandboxFs`: the safe filesystem facade over the driver port.
 * @module
 */
import { stat } from "node:fs/promises";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { guarded } from "../boundary.js";
import { SANDBOX_WORKDIR } from "../defaults.js";
import type { UploadEntry } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import {
  checkRemoveOptions,
  checkSignalOptions,
  checkText,
  checkWriteOptions,
} from "../validate/call-options.js";
import { checkString } from "../validate/strings.js";
import { uploadInBatches } from "./batch.js";
import { uploadChunked } from "./chunked.js";
import { decodeText, encodeText, parseJson, stringifyJson } from "./codec.js";
import { type ResolveOptions, resolveUnderRoot } from "./paths.js";
import { type FsSettings, resolveFsSettings } from "./settings.js";
import { tempSibling } from "./temp-names.js";
import type {
  FsContext,
  FsPorts,
  RemoveOptions,
  SandboxFs,
  WriteFileEntry,
  WriteFilesReport,
  WriteOptions,
} from "./types.js";

/**
 * Creates the safe filesystem facade for one sandbox. Invalid settings (a relative root, a cap that is not a
 * positive integer) do not throw: every call then returns the same `InvalidArgument`.
 *
 * @example
 * ```ts
 * const fs = createSandboxFs({ driver, sandboxId, exec });
 * await fs.writeText("src/index.ts", "export {};\n");       // -> /workspace/src/index.ts
 * const text = await fs.readText("src/index.ts");           // Ok("export {};\n")
 * await fs.writeText("../../etc/passwd", "x");              // Err(PathOutsideRoot), nothing sent
 * ```
 */
export function createSandboxFs(ctx: FsContext): SandboxFs {
  return buildSandboxFs(ctx, resolveFsSettings(ctx));
}

/** The facade over settings `createKit` already resolved (see `resolveFsSettings`): nothing is defaulted again. */
export function createResolvedSandboxFs(ctx: FsPorts, settings: FsSettings): SandboxFs {
  return buildSandboxFs(ctx, ok(settings));
}

function buildSandboxFs(ctx: FsPorts, settings: Result<FsSettings, KitError>): SandboxFs {
  const { driver, sandboxId } = ctx;
  // An invalid root still names itself in `root`, so a caller sees what was asked for.
  const root = settings.isOk() ? settings.value.root : String((ctx as FsContext).root ?? SANDBOX_WORKDIR);

  const resolvePath = (path: string, options?: ResolveOptions): Result<string, KitError> =>
    settings.andThen((s) => resolveUnderRoot(s.root, path, options));

  const aborted = (operation: string, signal?: AbortSignal): KitError | undefined =>
    signal?.aborted ? kitError.aborted(operation, signal.reason) : undefined;

  const uploadOne = (entry: UploadEntry, signal?: AbortSignal) =>
    driver.uploadFiles(sandboxId, [entry], signal ? { signal } : undefined);

  const writeAtomically = (entry: UploadEntry, signal?: AbortSignal): ResultAsync<void, KitError> => {
    const temp = tempSibling(entry.path, "tmp");
    return uploadOne({ path: temp, data: entry.data }, signal)
      .andThen(() => {
        const abort = aborted("write", signal);
        return abort ? errAsync(abort) : driver.moveFile(sandboxId, temp, entry.path, { overwrite: true });
      })
      .orElse((error) =>
        // The temp file may exist (upload landed, move failed): remove it, keep the real error.
        driver
          .deleteFile(sandboxId, temp, false)
          .orElse(() => okAsync(undefined))
          .andThen(() => errAsync(error)),
      );
  };

  const writeBytes = (
    path: string,
    bytes: Uint8Array,
    rawOptions?: WriteOptions,
  ): ResultAsync<void, KitError> =>
    guarded("writeBytes", () => {
      if (!(bytes instanceof Uint8Array)) {
        return errAsync(
          kitError.invalidArgument("bytes", "bytes must be a Uint8Array (use writeText for text)."),
        );
      }
      const checked = settings.andThen((s) =>
        resolvePath(path, FILE).andThen((resolved) =>
          checkWriteOptions(rawOptions).map((options) => ({ s, resolved, options })),
        ),
      );
      if (checked.isErr()) return errAsync(checked.error);
      const { s, resolved, options } = checked.value;
      const abort = aborted("write", options.signal);
      if (abort) return errAsync(abort);
      if (bytes.byteLength > s.uploadCapBytes) {
        if (!options.chunked)
          return errAsync(kitError.payloadTooLarge(resolved, bytes.byteLength, s.uploadCapBytes));
        return uploadChunked({
          driver,
          sandboxId,
          exec: ctx.exec,
          destination: resolved,
          data: bytes,
          partBytes: s.uploadCapBytes,
          concurrency: s.batch.concurrency,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      }
      const entry = { path: resolved, data: bytes };
      return options.atomic ? writeAtomically(entry, options.signal) : uploadOne(entry, options.signal);
    });

  const writeText = (path: string, text: string, options?: WriteOptions): ResultAsync<void, KitError> =>
    checkText(text).asyncAndThen((valid) => writeBytes(path, encodeText(valid), options));

  const readBytes = (path: string): ResultAsync<Uint8Array, KitError> =>
    guarded("readBytes", () => {
      const resolved = resolvePath(path, FILE);
      if (resolved.isErr()) return errAsync(resolved.error);
      return driver.downloadFiles(sandboxId, [resolved.value]).andThen((outcomes) => {
        const outcome = outcomes.find((o) => o.path === resolved.value) ?? outcomes[0];
        if (!outcome) return err(kitError.unexpected(`The driver returned nothing for ${resolved.value}.`));
        return outcome.ok ? ok(outcome.data) : err(outcome.error);
      });
    });

  const readText = (path: string): ResultAsync<string, KitError> =>
    readBytes(path).andThen((bytes) => decodeText(bytes, path));

  return {
    root,
    writeText,
    writeBytes,
    writeJson: (path, value, rawOptions) =>
      guarded("writeJson", () => {
        const checked = checkWriteOptions(rawOptions).andThen((options) =>
          stringifyJson(value).map((text) => ({ options, text })),
        );
        if (checked.isErr()) return errAsync(checked.error);
        const { options, text } = checked.value;
        return writeText(path, text, { ...options, atomic: options.atomic ?? true });
      }),
    writeFiles: (entries, rawOptions) =>
      guarded("writeFiles", () => {
        const prepared = settings.andThen((s) =>
          checkSignalOptions(rawOptions).andThen((options) =>
            prepareBatch(entries, s, (p) => resolvePath(p, FILE)).map((files) => ({ s, files, options })),
          ),
        );
        if (prepared.isErr()) return errAsync(prepared.error);
        const { s, files, options } = prepared.value;
        const abort = aborted("writeFiles", options.signal);
        if (abort) return errAsync(abort);
        if (files.length === 0) {
          return okAsync<WriteFilesReport, KitError>({
            complete: true,
            written: [],
            failed: [],
            requests: 0,
          });
        }
        return ResultAsync.fromSafePromise(
          uploadInBatches(driver, sandboxId, files, s.batch, options.signal),
        );
      }),
    readText,
    readBytes,
    readJson: <T = unknown>(path: string) => readText(path).andThen((text) => parseJson<T>(text, path)),
    exists: (path) =>
      guarded("exists", () => {
        const resolved = resolvePath(path, { allowRoot: true });
        if (resolved.isErr()) return errAsync(resolved.error);
        return driver
          .fileInfo(sandboxId, resolved.value)
          .map(() => true)
          .orElse((error) => (error.kind === "NotFound" ? ok(false) : err(error)));
      }),
    list: (path) =>
      guarded("list", () => {
        const resolved = resolvePath(path, { allowRoot: true });
        return resolved.isErr() ? errAsync(resolved.error) : driver.listFiles(sandboxId, resolved.value);
      }),
    mkdir: (path) =>
      guarded("mkdir", () => {
        const resolved = resolvePath(path, { allowRoot: true });
        return resolved.isErr()
          ? errAsync(resolved.error)
          : driver.createFolder(sandboxId, resolved.value, "755");
      }),
    remove: (path, rawOptions?: RemoveOptions) =>
      guarded("remove", () => {
        const resolved = resolvePath(path);
        if (resolved.isErr()) return errAsync(resolved.error);
        const options = checkRemoveOptions(rawOptions);
        if (options.isErr()) return errAsync(options.error);
        return driver.deleteFile(sandboxId, resolved.value, options.value.recursive ?? false);
      }),
    move: (from, to) =>
      guarded("move", () => {
        const source = resolvePath(from, { argument: "from" });
        if (source.isErr()) return errAsync(source.error);
        const destination = resolvePath(to, { argument: "to" });
        if (destination.isErr()) return errAsync(destination.error);
        return driver.moveFile(sandboxId, source.value, destination.value);
      }),
    uploadLocalFile: (localPath, remotePath) =>
      guarded("uploadLocalFile", () => {
        const checked = settings.andThen((s) =>
          resolvePath(remotePath, { file: true, argument: "remotePath" }).map((resolved) => ({
            s,
            resolved,
          })),
        );
        if (checked.isErr()) return errAsync(checked.error);
        const { s, resolved } = checked.value;
        return checkLocalFile(localPath, s.uploadCapBytes).andThen(() =>
          driver.uploadLocalFile(sandboxId, localPath, resolved),
        );
      }),
    resolve: (path) => {
      const resolved = resolvePath(path, { allowRoot: true });
      return resolved.isErr() ? errAsync(resolved.error) : okAsync(resolved.value);
    },
  };
}

/** How reads and writes resolve their path: it names a file, so `x/` is refused. */
const FILE: ResolveOptions = { file: true };

/** Validates every entry before anything is sent: one bad entry refuses the whole batch. */
function prepareBatch(
  entries: readonly WriteFileEntry[],
  settings: FsSettings,
  resolvePath: (path: string) => Result<string, KitError>,
): Result<UploadEntry[], KitError> {
  if (!Array.isArray(entries)) return err(kitError.invalidArgument("entries", "entries must be an array."));
  const files: UploadEntry[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const resolved = resolvePath(entry?.path);
    if (resolved.isErr()) return err(resolved.error);
    const path = resolved.value;
    if (seen.has(path)) {
      return err(
        kitError.invalidArgument(`entries[${index}].path`, `${path} appears twice in one writeFiles call.`),
      );
    }
    seen.add(path);
    const hasText = typeof entry.text === "string";
    const hasBytes = entry.bytes instanceof Uint8Array;
    if (hasText === hasBytes) {
      return err(
        kitError.invalidArgument(
          `entries[${index}]`,
          `Entry for ${path} needs exactly one of text (string) or bytes.`,
        ),
      );
    }
    const text = hasText ? checkText(entry.text, `entries[${index}].text`) : ok(undefined);
    if (text.isErr()) return err(text.error);
    const data = text.value === undefined ? (entry.bytes as Uint8Array) : encodeText(text.value);
    if (data.byteLength > settings.uploadCapBytes)
      return err(kitError.payloadTooLarge(path, data.byteLength, settings.uploadCapBytes));
    files.push({ path, data });
  }
  return ok(files);
}

/** The local file must exist, be a regular file, and fit under the cap; checked before any request. */
function checkLocalFile(localPath: string, cap: number): ResultAsync<void, KitError> {
  if (checkString(localPath, "localPath").isErr()) {
    return errAsync(
      kitError.invalidArgument("localPath", "localPath must be a non-empty path without NUL bytes."),
    );
  }
  return ResultAsync.fromPromise(stat(localPath), (cause) =>
    (cause as NodeJS.ErrnoException)?.code === "ENOENT"
      ? kitError.notFound("local file", localPath, cause)
      : kitError.invalidArgument("localPath", `Cannot read local file ${localPath}.`, { cause }),
  ).andThen((info) => {
    if (!info.isFile())
      return err(kitError.invalidArgument("localPath", `${localPath} is not a regular file.`));
    if (info.size > cap) return err(kitError.payloadTooLarge(localPath, info.size, cap));
    return ok(undefined);
  });
}
