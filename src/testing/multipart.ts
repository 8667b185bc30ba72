import type { ErrorResponse } from "./models.js";

/** The boundary the real daemon uses for bulk-download replies. */
export const DOWNLOAD_BOUNDARY = "DAYTONA-FILE-BOUNDARY";

/**
 * The JSON of a bulk-download `error` part: the SDK's `ErrorResponse`, whose `path` is the requested file. Its
 * `code` may be `INVALID_FILE_PATH`, which the daemon sends but the SDK's `DaemonErrorCode` enum does not list.
 */
export type DownloadErrorBody = Omit<ErrorResponse, "code"> & {
  code: "FILE_NOT_FOUND" | "INVALID_FILE_PATH";
};

/** One part of a bulk-download reply: a found file or a per-file error. */
export type DownloadPart =
  | { readonly kind: "file"; readonly path: string; readonly bytes: Uint8Array }
  | { readonly kind: "error"; readonly path: string; readonly error: DownloadErrorBody };

/** `filename="<path>"; filename*=utf-8''<pct>`, as the daemon writes it (busboy prefers the extended form). */
function dispositionFilename(path: string): string {
  const plain = path.replace(/["\\\r\n]/g, "_");
  return `filename="${plain}"; filename*=utf-8''${rfc5987(path)}`;
}

/** RFC 5987 `value-chars`: encodeURIComponent leaves `'()*!` as they are, but `'` ends the charset prefix. */
function rfc5987(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Builds the 200 `multipart/form-data` body of `POST /files/bulk-download`: one `file` part per found path and
 * one JSON `error` part per failure, each with `filename` equal to the requested path (the SDK matches on it).
 */
export function buildDownloadBody(parts: readonly DownloadPart[]): Uint8Array {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const content = part.kind === "file" ? part.bytes : encoder.encode(JSON.stringify(part.error));
    const type = part.kind === "file" ? "application/octet-stream" : "application/json; charset=utf-8";
    const head =
      `--${DOWNLOAD_BOUNDARY}\r\n` +
      `Content-Disposition: form-data; name="${part.kind}"; ${dispositionFilename(part.path)}\r\n` +
      `Content-Type: ${type}\r\n` +
      `Content-Length: ${content.byteLength}\r\n\r\n`;
    chunks.push(encoder.encode(head), content, encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${DOWNLOAD_BOUNDARY}--\r\n`));
  const total = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
