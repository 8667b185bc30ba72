import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  classifySources,
  parseDeb822,
  parseSourcesList,
  readHostDebianSources,
  sandboxSourcesFile,
} from "../../../src/driver/local/apt-sources.js";

// Example URIs only: the driver never names a mirror, it reads the host's.
const MAIN = "http://mirror.example/debian";
const SECURITY = "http://mirror.example/debian-security";

describe("reading the host's Debian mirror from apt sources", () => {
  it("parses deb822 stanzas, skipping comments, deb-src and disabled ones", () => {
    const text = [
      "Types: deb",
      "# a comment",
      `URIs: ${MAIN}`,
      "Suites: bookworm bookworm-updates",
      "Components: main",
      "",
      "Types: deb-src",
      "URIs: http://src.example/debian",
      "Suites: bookworm",
      "",
      "Types: deb",
      "URIs: http://off.example/debian",
      "Suites: bookworm",
      "Enabled: no",
      "",
      "Types: deb",
      `URIs: ${SECURITY}`,
      "Suites: bookworm-security",
    ].join("\n");
    expect(parseDeb822(text)).toEqual([
      { uris: [MAIN], suites: ["bookworm", "bookworm-updates"] },
      { uris: [SECURITY], suites: ["bookworm-security"] },
    ]);
  });

  it("parses one-line sources.list entries with options", () => {
    const text = `# comment\ndeb [arch=amd64] ${MAIN} bookworm main\ndeb-src ${MAIN} bookworm main\ndeb ${SECURITY} bookworm-security main`;
    expect(parseSourcesList(text)).toEqual([
      { uris: [MAIN], suites: ["bookworm"] },
      { uris: [SECURITY], suites: ["bookworm-security"] },
    ]);
  });

  it("keeps only Debian archives, split into main and security", () => {
    const sources = classifySources([
      { uris: [MAIN], suites: ["bookworm"] },
      { uris: ["https://deb.thirdparty.example/node_20.x"], suites: ["nodistro"] },
      { uris: [SECURITY], suites: ["bookworm-security"] },
      { uris: [MAIN], suites: ["bookworm-updates"] },
    ]);
    expect(sources).toEqual({ main: [MAIN], security: [SECURITY] });
  });

  it("writes sandbox sources for bookworm from the host's archives", () => {
    const file = sandboxSourcesFile({ main: [MAIN], security: [SECURITY] }, "bookworm");
    expect(file).toContain(`URIs: ${MAIN}\nSuites: bookworm bookworm-updates`);
    expect(file).toContain(`URIs: ${SECURITY}\nSuites: bookworm-security`);
    expect(file).toContain("Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg");
  });

  it("reads a whole /etc/apt tree and reports Unsupported when it has no Debian archive", () => {
    const root = mkdtempSync(join(tmpdir(), "dk-apt-"));
    try {
      mkdirSync(join(root, "etc/apt/sources.list.d"), { recursive: true });
      const empty = readHostDebianSources(root);
      expect(empty.isErr() && empty.error.kind).toBe("Unsupported");
      writeFileSync(
        join(root, "etc/apt/sources.list.d/debian.sources"),
        `Types: deb\nURIs: ${MAIN}\nSuites: trixie\n`,
      );
      writeFileSync(
        join(root, "etc/apt/sources.list.d/old.list.disabled"),
        `deb http://x.example/debian sid main\n`,
      );
      expect(readHostDebianSources(root)._unsafeUnwrap()).toEqual({ main: [MAIN], security: [] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
