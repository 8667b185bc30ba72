import { createHash } from "node:crypto";
import type { CommandResponder } from "../../src/testing/index.js";
import { startEmulatedDaytona } from "../support/emulated-daytona.js";
import { describeDriverContract } from "./driver-contract.js";

/**
 * Answers the chunked-upload join command, `cat <part>… > <tmp> && sha256sum <tmp>`, byte-exactly from the
 * emulated filesystem. The emulator's built-in shell has no `sha256sum`, and its `cat` goes through text (binary
 * parts come out altered; the facade's checksum catches that, which is the point of it, but the contract wants
 * the happy path here).
 */
const joinAndHash: CommandResponder = (ctx) => {
  const match = /^cat ((?:\S+ )+)> (\S+) && sha256sum (\S+)$/.exec(ctx.command);
  if (!match?.[1] || !match[2]) return undefined;
  const unquote = (word: string) => word.replace(/^'(.*)'$/, "$1");
  const parts = match[1].trim().split(" ").map(unquote);
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const data = ctx.fs.readFile(part);
    if (!data) return { exitCode: 1, output: `cat: ${part}: No such file or directory\n` };
    chunks.push(data);
  }
  const joined = new Uint8Array(Buffer.concat(chunks));
  const target = unquote(match[2]);
  ctx.fs.writeFile(target, joined);
  return { exitCode: 0, output: `${createHash("sha256").update(joined).digest("hex")}  ${target}\n` };
};

describeDriverContract("daytona (real SDK against the emulator)", async () => {
  const daytona = startEmulatedDaytona({ commandResponder: joinAndHash });
  const created = await daytona.driver.create({ image: "node:20-slim", timeoutMs: 30_000 });
  if (created.isErr()) throw new Error(created.error.message);
  return { driver: daytona.driver, sandboxId: created.value.id, cleanup: () => daytona.close() };
});
