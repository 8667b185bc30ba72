/**
 * Reading `Retry-After` and Daytona's per-throttler `Retry-After-*` headers into one wait, in milliseconds.
 * @module
 */

/** Response headers as Node, axios and most HTTP clients hand them over. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

const DELAY_SECONDS = /^\d+(?:\.\d+)?$/;
const SECONDS_LIST = /^\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)+$/;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY = "(?:mon|tue|wed|thu|fri|sat|sun)";
const LONG_DAY = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
const MONTH = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)";
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
// The three HTTP-date forms every recipient must accept (RFC 9110 §5.6.7). Matching them exactly keeps
// `Date.parse`'s leniency out: it reads "garbage 1" as 1 January 2001.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, "i");
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, "i");
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`, "i");

/**
 * The wait, in milliseconds, that a response's `Retry-After` and `Retry-After-*` headers ask for.
 *
 * Daytona answers 429 with `Retry-After` and/or one header per throttler (`Retry-After-sandbox-create`,
 * `Retry-After-sandbox-lifecycle`, `Retry-After-authenticated`); every one of them must be respected, so the
 * largest wins. Header names are matched case-insensitively. Each value is either delay-seconds (`"2"`, `"1.5"`)
 * or an HTTP date (IMF-fixdate, RFC 850 or asctime, read as UTC) measured from `nowMs`. Negative numbers,
 * dates in the past, and anything unparseable are ignored.
 *
 * @param headers - the response headers (values may be arrays when a header was repeated)
 * @param nowMs - the current time in epoch milliseconds (injected so the result is deterministic)
 * @returns the wait in whole milliseconds, or `undefined` when no header gives a usable one
 *
 * @example
 * ```ts
 * parseRetryAfter({ "retry-after": "2", "Retry-After-sandbox-create": "5" }, Date.now()); // 5000
 * parseRetryAfter({ "Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT" }, Date.parse("2026-10-21T07:27:00Z")); // 60000
 * parseRetryAfter({ "retry-after": "soon" }, Date.now()); // undefined
 * ```
 */
export function parseRetryAfter(headers: HeaderBag | undefined, nowMs: number): number | undefined {
  if (headers === undefined || headers === null) return undefined;
  let largest: number | undefined;
  for (const [name, raw] of Object.entries(headers)) {
    if (!isRetryAfterName(name) || raw === undefined) continue;
    const values = typeof raw === "string" ? [raw] : raw;
    for (const value of values) {
      if (typeof value !== "string") continue;
      const waitMs = parseOneValue(value, nowMs);
      if (waitMs !== undefined && (largest === undefined || waitMs > largest)) largest = waitMs;
    }
  }
  return largest;
}

/**
 * The wait per throttler named in Daytona's `Retry-After-<throttler>` headers, in milliseconds (names
 * lower-cased; values read as in {@link parseRetryAfter}). The generic `Retry-After` names no throttler.
 *
 * @example
 * ```ts
 * retryAfterByThrottler({ "Retry-After": "2", "Retry-After-sandbox-create": "5" }, Date.now()); // { "sandbox-create": 5000 }
 * ```
 */
export function retryAfterByThrottler(headers: HeaderBag | undefined, nowMs: number): Record<string, number> {
  const waits: Record<string, number> = {};
  if (headers === undefined || headers === null) return waits;
  for (const [name, raw] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "retry-after" || !isRetryAfterName(name) || raw === undefined) continue;
    const wait = parseRetryAfter({ "retry-after": raw }, nowMs);
    if (wait !== undefined) waits[lower.slice("retry-after-".length)] = wait;
  }
  return waits;
}

function isRetryAfterName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === "retry-after" || (lower.startsWith("retry-after-") && lower.length > "retry-after-".length)
  );
}

function parseOneValue(raw: string, nowMs: number): number | undefined {
  const value = raw.trim();
  if (DELAY_SECONDS.test(value)) return secondsToMs(value);
  // A repeated custom header reaches Node joined with ", "; take the largest of the numbers.
  if (SECONDS_LIST.test(value)) {
    const waits = value.split(",").map((part) => secondsToMs(part.trim()));
    const finite = waits.filter((w): w is number => w !== undefined);
    return finite.length === 0 ? undefined : Math.max(...finite);
  }
  const dateMs = parseHttpDate(value);
  if (dateMs === undefined || !Number.isFinite(nowMs)) return undefined;
  const waitMs = dateMs - nowMs;
  return waitMs >= 0 ? Math.ceil(waitMs) : undefined;
}

function secondsToMs(text: string): number | undefined {
  const ms = Math.ceil(Number(text) * 1000);
  return Number.isFinite(ms) && ms <= Number.MAX_SAFE_INTEGER ? ms : undefined;
}

/** Epoch milliseconds of an HTTP date in any of its three forms, or `undefined`. */
function parseHttpDate(value: string): number | undefined {
  let match = IMF_FIXDATE.exec(value);
  if (match) return utc(match[3], match[2], match[1], match[4], match[5], match[6]);
  match = RFC850_DATE.exec(value);
  if (match) return utc(twoDigitYear(match[3]), match[2], match[1], match[4], match[5], match[6]);
  match = ASCTIME_DATE.exec(value);
  if (match) return utc(match[6], match[1], match[2], match[3], match[4], match[5]);
  return undefined;
}

function twoDigitYear(yy: string | undefined): string | undefined {
  if (yy === undefined) return undefined;
  const n = Number(yy);
  // RFC 850 dates carry two digits; anything from 70 on is the 1900s, below is the 2000s.
  return String(n >= 70 ? 1900 + n : 2000 + n);
}

function utc(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hours: string | undefined,
  minutes: string | undefined,
  seconds: string | undefined,
): number | undefined {
  const monthIndex = MONTHS.indexOf((month ?? "").toLowerCase());
  const parts = [year, day, hours, minutes, seconds].map((p) => Number((p ?? "").trim()));
  const [y, d, h, m, s] = parts as [number, number, number, number, number];
  if (monthIndex < 0 || parts.some((p) => !Number.isInteger(p))) return undefined;
  if (d < 1 || d > 31 || h > 23 || m > 59 || s > 60) return undefined;
  const ms = Date.UTC(y, monthIndex, d, h, m, s);
  // Date.UTC rolls 31 February over into March; a real date keeps its day.
  return new Date(ms).getUTCDate() === d ? ms : undefined;
}
