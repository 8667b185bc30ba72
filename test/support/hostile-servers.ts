/** Misbehaving HTTP servers on 127.0.0.1 for deadline and dispose tests. */
import http from "node:http";
import net from "node:net";

export interface HostileServer {
  readonly url: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Requests seen so far (the black hole sees none it answers). */
  requests(): number;
  close(): Promise<void>;
}

/** Accepts every connection and never answers. */
export async function blackHole(): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let requests = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on("data", () => {
      requests += 1;
    });
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    connections: () => accepted,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with `status` and a Daytona-shaped JSON error, keeping connections alive `keepAliveMs`. */
export async function alwaysFailing(status: number, keepAliveMs = 5_000): Promise<HostileServer> {
  let accepted = 0;
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests += 1;
    request.resume();
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify({ statusCode: status, message: `always ${status}` }));
  });
  server.keepAliveTimeout = keepAliveMs;
  server.on("connection", () => {
    accepted += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    connections: () => accepted,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
