/**
 * PostgreSQL: installed, its cluster found (never a hard-coded version), `trust` auth for LOCAL connections only
 * (Unix socket and loopback: Debian's `peer` default refuses root), a chosen port, started without systemd, ready, and the database created.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { quoteArgs, shellQuote } from "../shell/quote.js";
import { readReport } from "./engine.js";
import type { Service } from "./service.js";
import type { ProvisionStep, RunOptions } from "./types.js";
import { validateDatabaseName, validatePort, validateTimeout } from "./validate.js";

/** What `provision.postgres` can be told (also the value of `all({ postgres })`). */
export interface PostgresSettings {
  /** Database to create when missing. @default "postgres" (exists already) */
  readonly database?: string;
  /**
   * TCP port, written to `postgresql.conf`. Every sandbox has its own network (on the local driver too), so the
   * default fits unless one sandbox runs two clusters.
   * @default 5432
   */
  readonly port?: number;
  /** How long to wait for `pg_isready` after starting. @default 30_000 */
  readonly readyTimeoutMs?: number;
}

/** Options of `provision.postgres`. */
export interface PostgresOptions extends PostgresSettings, RunOptions {}

/** Result of `provision.postgres`. */
export interface PostgresResult {
  /** `postgresql://postgres@localhost:<port>/<database>`: no password, `trust` for local connections. */
  readonly url: string;
  /** Major version of the cluster, e.g. `"15"`. */
  readonly version: string;
  /** Full server version, e.g. `"15.14 (Debian 15.14-0+deb12u1)"`. */
  readonly serverVersion: string;
  readonly port: number;
  readonly database: string;
  /** Cluster name, normally `"main"`. */
  readonly cluster: string;
  /** Whether any step ran (install, configuration, start or database creation). */
  readonly changed: boolean;
}

/** Defaults of {@link PostgresSettings}. */
export const POSTGRES_DEFAULTS = { database: "postgres", port: 5432, readyTimeoutMs: 30_000 } as const;

const AUTH_METHODS = "(peer|ident|md5|scram-sha-256|password)";
const S = "[[:space:]]";
const LOOPBACK = "(127\\.0\\.0\\.1/32|::1/128)";

/**
 * Shell lines that set `$pgv` (major version), `$pgc` (cluster) and `$conf` (its config dir): the newest cluster
 * named `main`, else the newest cluster (Debian keeps one config dir per cluster under /etc/postgresql, which is
 * what `pg_lsclusters` reads), else whatever `pg_lsclusters` lists. The directory listing comes first because
 * `pg_lsclusters` is a Perl script: ~60 ms each time, most of a prebaked sandbox's first start.
 */
const FIND_CLUSTER = [
  "export LC_ALL=C.UTF-8",
  `kit_cluster=$(ls -d /etc/postgresql/*/main/ 2>/dev/null | sort -V | tail -n 1 | awk -F/ '{print $4, $5}')`,
  `[ -n "$kit_cluster" ] || kit_cluster=$(ls -d /etc/postgresql/*/*/ 2>/dev/null | sort -V | tail -n 1 | awk -F/ '{print $4, $5}')`,
  `[ -n "$kit_cluster" ] || kit_cluster=$(pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | sort -n | tail -n 1)`,
  `[ -n "$kit_cluster" ] || { echo 'No PostgreSQL cluster found (pg_lsclusters lists none).' >&2; exit 1; }`,
  'set -- $kit_cluster; pgv=$1; pgc=$2; conf="/etc/postgresql/$pgv/$pgc"',
].join("\n");

/**
 * Puts the cluster's own client binaries first on PATH: `psql`, `createdb` and `pg_isready` in /usr/bin are
 * Debian's Perl `pg_wrapper`, ~45 ms per call before the client even starts. After {@link FIND_CLUSTER}.
 */
const CLUSTER_CLIENTS = '[ -d "/usr/lib/postgresql/$pgv/bin" ] && PATH="/usr/lib/postgresql/$pgv/bin:$PATH"';

/** The same for steps that do not look for the cluster: the newest installed version's clients. */
const NEWEST_CLIENTS = [
  "pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)",
  '[ -z "$pgbin" ] || PATH="$pgbin:$PATH"',
].join("\n");

/**
 * The PostgreSQL service: packages `postgresql postgresql-client`, install steps cluster → configure, per-sandbox
 * steps start → database.
 */
export function postgresService(settings: PostgresSettings = {}): Result<Service<PostgresResult>, KitError> {
  const database = validateDatabaseName(settings.database ?? POSTGRES_DEFAULTS.database);
  if (database.isErr()) return err(database.error);
  const port = validatePort(settings.port ?? POSTGRES_DEFAULTS.port);
  if (port.isErr()) return err(port.error);
  const ready = validateTimeout(
    settings.readyTimeoutMs ?? POSTGRES_DEFAULTS.readyTimeoutMs,
    "readyTimeoutMs",
  );
  if (ready.isErr()) return err(ready.error);
  const db = database.value;
  const p = port.value;

  return ok({
    name: "postgres",
    packages: ["postgresql", "postgresql-client"],
    // The cluster and its configuration are files: baked into a prebaked image. Starting and the database are
    // per sandbox.
    install: [clusterStep(), configureStep(p)],
    steps: [startStep(p, ready.value), databaseStep(p, db)],
    reports: {
      "postgres-info": [
        FIND_CLUSTER,
        CLUSTER_CLIENTS,
        `echo "cluster=$pgv/$pgc"`,
        `echo "server_version=$(${quoteArgs(["psql", "-p", String(p), "-U", "postgres", "-tAc", "SHOW server_version"])})"`,
      ].join("\n"),
    },
    parse: (facts) =>
      readReport(facts, "postgres-info", "postgres").andThen((text) => {
        const cluster = /^cluster=(\d+(?:\.\d+)?)\/(\S+)$/m.exec(text);
        const server = /^server_version=(.+)$/m.exec(text);
        if (!cluster || !server) {
          return err(
            kitError.provisionFailed(
              "postgres.report",
              kitError.unexpected(`Unexpected PostgreSQL report: ${text}`),
            ),
          );
        }
        return ok({
          url: `postgresql://postgres@localhost:${p}/${db}`,
          version: cluster[1] as string,
          serverVersion: (server[1] as string).trim(),
          port: p,
          database: db,
          cluster: cluster[2] as string,
          changed: facts.ran.some((step) => step.startsWith("postgres.") || step.startsWith("apt.")),
        });
      }),
  });
}

function clusterStep(): ProvisionStep {
  return {
    name: "postgres.cluster",
    description: "Make sure a cluster exists (images that skip the package's default cluster get one).",
    check: `[ -n "$(pg_lsclusters -h 2>/dev/null)" ]`,
    command: [
      "export LC_ALL=C.UTF-8",
      `[ -z "$(pg_lsclusters -h 2>/dev/null)" ] || { echo 'cluster present'; exit 0; }`,
      "v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)",
      `[ -n "$v" ] || { echo 'PostgreSQL is not installed (/usr/lib/postgresql is empty).' >&2; exit 1; }`,
      `pg_createcluster "$v" main`,
    ].join("\n"),
    timeoutMs: 120_000,
  };
}

/** pg_hba: `trust` for `local` lines and for `host` lines of 127.0.0.1/32 and ::1/128 only; port; localhost only. */
function configureStep(port: number): ProvisionStep {
  const hba = '"$conf/pg_hba.conf"';
  const pgconf = '"$conf/postgresql.conf"';
  const portLine = `^port${S}*=${S}*${port}(${S}|#|$)`;
  const listenLine = `^listen_addresses${S}*=${S}*'localhost'`;
  const localTrust = `^local${S}+all${S}+all${S}+trust`;
  const loopbackTrust = (cidr: string) =>
    `^host${S}+all${S}+all${S}+${cidr.replaceAll(".", "\\.")}${S}+trust`;
  const untrustedLocal = `^local${S}.*${S}${AUTH_METHODS}(${S}|$)`;
  const untrustedLoopback = `^host${S}.*${S}${LOOPBACK}${S}+${AUTH_METHODS}(${S}|$)`;
  return {
    name: "postgres.configure",
    description: `Trust local (socket and loopback) connections only, listen on localhost:${port}.`,
    check: [
      FIND_CLUSTER,
      `grep -Eq ${shellQuote(portLine)} ${pgconf}`,
      `grep -Eq ${shellQuote(listenLine)} ${pgconf}`,
      `grep -Eq ${shellQuote(localTrust)} ${hba}`,
      `grep -Eq ${shellQuote(loopbackTrust("127.0.0.1/32"))} ${hba}`,
      `! grep -Eq ${shellQuote(untrustedLocal)} ${hba}`,
      `! grep -Eq ${shellQuote(untrustedLoopback)} ${hba}`,
    ].join(" &&\n"),
    command: [
      FIND_CLUSTER,
      `[ -f ${hba}.daytona-kit.orig ] || cp ${hba} ${hba}.daytona-kit.orig`,
      // Only the method column of local lines and loopback host lines changes; nothing is opened to the network.
      `sed -i -E ${shellQuote(`/^local${S}/ s/${S}${AUTH_METHODS}(${S}|$)/ trust\\2/`)} ${hba}`,
      `sed -i -E ${shellQuote(`\\#^host${S}.*${S}${LOOPBACK}${S}# s/${S}${AUTH_METHODS}(${S}|$)/ trust\\2/`)} ${hba}`,
      `grep -Eq ${shellQuote(localTrust)} ${hba} || echo 'local all all trust' >> ${hba}`,
      `grep -Eq ${shellQuote(loopbackTrust("127.0.0.1/32"))} ${hba} || echo 'host all all 127.0.0.1/32 trust' >> ${hba}`,
      `grep -Eq ${shellQuote(loopbackTrust("::1/128"))} ${hba} || echo 'host all all ::1/128 trust' >> ${hba}`,
      `old_port=$(sed -nE ${shellQuote(`s/^port${S}*=${S}*([0-9]+).*/\\1/p`)} ${pgconf} | tail -n 1)`,
      `if grep -Eq ${shellQuote(`^#?port${S}*=`)} ${pgconf}; then sed -i -E ${shellQuote(`s/^#?port${S}*=.*/port = ${port}/`)} ${pgconf}; else echo 'port = ${port}' >> ${pgconf}; fi`,
      `if grep -Eq ${shellQuote(`^#?listen_addresses${S}*=`)} ${pgconf}; then sed -i -E ${shellQuote(`s/^#?listen_addresses${S}*=.*/listen_addresses = 'localhost'/`)} ${pgconf}; else echo "listen_addresses = 'localhost'" >> ${pgconf}; fi`,
      // A running cluster picks up pg_hba with a reload; a new port needs a restart.
      `if pg_ctlcluster "$pgv" "$pgc" status >/dev/null 2>&1; then`,
      `  if [ "$old_port" = ${port} ]; then pg_ctlcluster "$pgv" "$pgc" reload; else pg_ctlcluster "$pgv" "$pgc" restart; fi`,
      "fi",
    ].join("\n"),
    timeoutMs: 60_000,
  };
}

function startStep(port: number, readyTimeoutMs: number): ProvisionStep {
  const tries = Math.max(1, Math.ceil(readyTimeoutMs / 500));
  const ready = quoteArgs(["pg_isready", "-q", "-p", String(port)]);
  return {
    name: "postgres.start",
    description: `Start the cluster with pg_ctl as its owner (no systemd needed) and wait for pg_isready on port ${port}.`,
    check: ready,
    command: [
      FIND_CLUSTER,
      CLUSTER_CLIENTS,
      `log="/var/log/postgresql/postgresql-$pgv-$pgc.log"`,
      // pg_ctl itself, as pg_ctlcluster runs it (the cluster's data directory, owner, log and config file), waiting
      // until the server accepts connections. pg_ctlcluster start adds ~2-3 s to every start (it then probes for
      // three successful connections 0.5 s apart): most of a prebaked sandbox's first ensure. It stays the fallback.
      // Another process may start it at the same moment: its start winning is success too.
      "if command -v runuser >/dev/null 2>&1 && command -v setsid >/dev/null 2>&1; then",
      `  pgdata=$(sed -nE "s/^data_directory${S}*=${S}*'([^']*)'.*/\\1/p" "$conf/postgresql.conf" | tail -n 1)`,
      `  [ -n "$pgdata" ] || pgdata="/var/lib/postgresql/$pgv/$pgc"`,
      // Running already: what `pg_ctlcluster status` checks (a live postmaster pid), without its Perl start-up.
      `  if ! { pid=$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }; then`,
      `    owner=$(stat -c %U "$pgdata") || exit 1`,
      `    install -d -o "$owner" -g "$owner" -m 2775 /var/run/postgresql`,
      `    stats=$(sed -nE "s/^stats_temp_directory${S}*=${S}*'([^']*)'.*/\\1/p" "$conf/postgresql.conf" | tail -n 1)`,
      `    [ -z "$stats" ] || install -d -o "$owner" -g "$owner" -m 700 "$stats"`,
      `    runuser -u "$owner" -- setsid -w "/usr/lib/postgresql/$pgv/bin/pg_ctl" start -w -t ${Math.max(1, Math.ceil(readyTimeoutMs / 1000))} -s -D "$pgdata" -l "$log" -o "-c config_file=$conf/postgresql.conf" || pg_ctlcluster "$pgv" "$pgc" status >/dev/null 2>&1 || { tail -n 20 "$log" 2>/dev/null; exit 1; }`,
      "  fi",
      `elif ! pg_ctlcluster "$pgv" "$pgc" status >/dev/null 2>&1; then`,
      `  pg_ctlcluster "$pgv" "$pgc" start || pg_ctlcluster "$pgv" "$pgc" status >/dev/null 2>&1 || { tail -n 20 "$log" 2>/dev/null; exit 1; }`,
      "fi",
      "i=0",
      `until ${ready}; do`,
      "  i=$((i + 1))",
      `  if [ "$i" -ge ${tries} ]; then echo 'PostgreSQL did not accept connections on port ${port} within ${readyTimeoutMs} ms.' >&2; tail -n 20 "$log" 2>/dev/null; exit 1; fi`,
      "  sleep 0.5",
      "done",
    ].join("\n"),
    timeoutMs: readyTimeoutMs + 60_000,
  };
}

function databaseStep(port: number, database: string): ProvisionStep {
  const exists = `${quoteArgs(["psql", "-p", String(port), "-U", "postgres", "-d", database, "-tAc", "SELECT 1"])} >/dev/null 2>&1`;
  return {
    name: "postgres.database",
    description: `Create the database ${database} if it does not exist.`,
    check: exists,
    // A createdb that lost a race with another process's (already exists) is success once the database answers.
    command: `export LC_ALL=C.UTF-8\n${NEWEST_CLIENTS}\n${exists} || ${quoteArgs(["createdb", "-p", String(port), "-U", "postgres", database])} || ${exists}`,
    timeoutMs: 60_000,
  };
}
