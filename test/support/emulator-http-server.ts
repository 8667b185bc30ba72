/**
 * The Daytona emulator served over a REAL HTTP server on 127.0.0.1, for tests that need real sockets (keep-alive,
 * dispose, child processes): each request is handed to the emulator's msw handlers through `getResponse`.
 * A request whose URL or body mentions {@link HOLD_MARKER} is never answered, so a test can keep calls in flight.
 */
import http from "node:http";
import type net from "node:net";
import { getResponse } from "msw";
import {
  createDaytonaEmulator,
  type DaytonaEmulator,
  type DaytonaEmulatorOptions,
} from "../../src/testing/index.js";

/** Put this in a path, command or label value to get a request the server holds forever. */
export const HOLD_MARKER = "hold-forever";

export interface EmulatorHttpServer {
  readonly emulator: DaytonaEmulator;
  readonly apiUrl: string;
  readonly apiKey: string;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests held unanswered so far (see {@link HOLD_MARKER}). */
  held(): number;
  close(): Promise<void>;
}

/** Starts the emulator behind a real server; `keepAliveMs` is how long idle connections are kept open. */
export async function startEmulatorHttpServer(
  options: DaytonaEmulatorOptions & { keepAliveMs?: number } = {},
): Promise<EmulatorHttpServer> {
  const { keepAliveMs = 5_000, ...emulatorOptions } = options;
  let emulator: DaytonaEmulator | undefined;
  let accepted = 0;
  let held = 0;
  const server = http.createServer((incoming, outgoing) => {
    void answer(
      incoming,
      outgoing,
      () => emulator,
      () => {
        held += 1;
      },
    );
  });
  server.keepAliveTimeout = keepAliveMs;
  server.on("connection", () => {
    accepted += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  emulator = createDaytonaEmulator({
    apiUrl: `${base}/api`,
    toolboxUrl: `${base}/toolbox`,
    ...emulatorOptions,
  });
  return {
    emulator,
    apiUrl: emulator.apiUrl,
    apiKey: emulator.apiKey,
    connections: () => accepted,
    held: () => held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(
  incoming: http.IncomingMessage,
  outgoing: http.ServerResponse,
  current: () => DaytonaEmulator | undefined,
  onHold: () => void,
): Promise<void> {
  const emulator = current();
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  if (
    `${decodeURIComponent(incoming.url ?? "")} ${Buffer.concat(chunks).toString("latin1")}`.includes(
      HOLD_MARKER,
    )
  ) {
    onHold();
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = incoming.method ?? "GET";
  const request = new Request(`http://${incoming.headers.host}${incoming.url ?? "/"}`, {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body: Buffer.concat(chunks) }),
  });
  const response = emulator ? await getResponse(emulator.handlers, request) : undefined;
  if (!response) {
    outgoing.writeHead(404, { "content-type": "application/json" });
    outgoing.end(
      JSON.stringify({ statusCode: 404, message: `emulator: no route for ${method} ${incoming.url}` }),
    );
    return;
  }
  if (response.type === "error") {
    // msw's network error: drop the connection, as a dead server would.
    incoming.socket.destroy();
    return;
  }
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  outgoing.writeHead(response.status, outHeaders);
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}
