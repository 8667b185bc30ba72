/**
 * Reads the Debian mirror this machine already uses from its apt sources, so the local driver talks only to the
 * archive the host is configured for (no mirror host is ever written in this library).
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";

/** The Debian archives found in the host's apt sources. */
export interface HostDebianSources {
  /** URIs serving the main suites (e.g. `bookworm`, `bookworm-updates`). */
  readonly main: readonly string[];
  /** URIs serving `<suite>-security`, when the host has one. */
  readonly security: readonly string[];
}

interface SourceEntry {
  readonly uris: readonly string[];
  readonly suites: readonly string[];
}

/** Parses deb822 `.sources` text into entries of type `deb`. */
export function parseDeb822(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const raw of stanza.split("\n")) {
      if (raw.startsWith("#")) continue;
      if (/^\s/.test(raw) && last !== undefined) {
        fields.set(last, `${fields.get(last) ?? ""} ${raw.trim()}`);
        continue;
      }
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (!match) continue;
      last = match[1]!.toLowerCase();
      fields.set(last, match[2]!.trim());
    }
    const types = (fields.get("types") ?? "").split(/\s+/);
    if (!types.includes("deb") || fields.get("enabled")?.toLowerCase() === "no") continue;
    const uris = (fields.get("uris") ?? "").split(/\s+/).filter((u) => u !== "");
    const suites = (fields.get("suites") ?? "").split(/\s+/).filter((s) => s !== "");
    if (uris.length > 0) entries.push({ uris, suites });
  }
  return entries;
}

/** Parses one-line-style `sources.list` text (`deb [options] uri suite components…`). */
export function parseSourcesList(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (match) entries.push({ uris: [match[1]!], suites: [match[2]!] });
  }
  return entries;
}

/** Only archives of Debian itself are used (third-party repositories need keys the sandbox does not have). */
function looksLikeDebianArchive(uri: string): boolean {
  return /^(https?|file):\/\//.test(uri) && /\/debian(-security)?\/?$/.test(uri);
}

/** Splits entries into main and security archives, keeping the host's order and dropping duplicates. */
export function classifySources(entries: readonly SourceEntry[]): HostDebianSources {
  const main: string[] = [];
  const security: string[] = [];
  for (const entry of entries) {
    const isSecurity = entry.suites.some((s) => s.endsWith("-security"));
    for (const uri of entry.uris) {
      if (!looksLikeDebianArchive(uri)) continue;
      const list = isSecurity ? security : main;
      if (!list.includes(uri)) list.push(uri);
    }
  }
  return { main, security };
}

/**
 * Reads `/etc/apt/sources.list.d/*.sources` and `/etc/apt/sources.list` (or another root, for tests).
 * @returns the Debian archives, or `Unsupported` when the host has none configured.
 */
export function readHostDebianSources(root = "/"): Result<HostDebianSources, KitError> {
  const entries: SourceEntry[] = [];
  const dir = join(root, "etc/apt/sources.list.d");
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    // no sources.list.d: fine, sources.list may still exist
  }
  for (const name of names) {
    const text = readText(join(dir, name));
    if (text === undefined) continue;
    if (name.endsWith(".sources")) entries.push(...parseDeb822(text));
    else if (name.endsWith(".list")) entries.push(...parseSourcesList(text));
  }
  const list = readText(join(root, "etc/apt/sources.list"));
  if (list !== undefined) entries.push(...parseSourcesList(list));
  const sources = classifySources(entries);
  if (sources.main.length === 0) {
    return err(
      kitError.unsupported(
        "Building a local base image without a Debian mirror",
        "No Debian archive was found in /etc/apt/sources.list(.d). Pass { mirror } to the local driver or set " +
          "DAYTONA_KIT_DEBIAN_MIRROR to your Debian mirror URL.",
      ),
    );
  }
  return ok(sources);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The deb822 sources file written inside a sandbox: the host's archives, for `suite`.
 * @example
 * ```ts
 * sandboxSourcesFile({ main: [m], security: [s] }, "bookworm")
 * ```
 */
export function sandboxSourcesFile(sources: HostDebianSources, suite: string): string {
  const keyring = "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg";
  const stanzas = [
    `Types: deb\nURIs: ${sources.main.join(" ")}\nSuites: ${suite} ${suite}-updates\nComponents: main\n${keyring}\n`,
  ];
  if (sources.security.length > 0) {
    stanzas.push(
      `Types: deb\nURIs: ${sources.security.join(" ")}\nSuites: ${suite}-security\nComponents: main\n${keyring}\n`,
    );
  }
  return stanzas.join("\n");
}
