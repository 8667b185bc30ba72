import { HttpResponse } from "msw";
import { apiError } from "../bodies.js";
import type { EmulatorContext } from "../context.js";
import type { ListSandboxesResponse } from "../models.js";
import type { RouteInput } from "../pipeline.js";
import { toListItem } from "../state.js";
import type { SandboxRecord } from "../types.js";

/** `sort` values the API accepts, and the record field each reads. */
const SORT_FIELDS = {
  name: (b: SandboxRecord) => b.name,
  cpu: (b: SandboxRecord) => b.cpu,
  memoryGib: (b: SandboxRecord) => b.memory,
  diskGib: (b: SandboxRecord) => b.disk,
  lastActivityAt: (b: SandboxRecord) => b.lastActivityAt,
  createdAt: (b: SandboxRecord) => b.createdAt,
} as const;
type SortField = keyof typeof SORT_FIELDS;
const SORT_ORDERS = ["asc", "desc"] as const;

/** Upstream's cursor: `{ sortValue, id }` of the last item served, base64 JSON. */
interface Cursor {
  readonly sortValue: string | number;
  readonly id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64");
}

function decodeCursor(text: string): Cursor | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as Partial<Cursor> | null;
    const value = parsed?.sortValue;
    if (typeof parsed?.id !== "string" || (typeof value !== "string" && typeof value !== "number"))
      return undefined;
    return { sortValue: value, id: parsed.id };
  } catch {
    return undefined;
  }
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The validation pipe's messages for the query (joined with ", " as the API's filter does), or `undefined`. */
function queryProblems(query: URLSearchParams): string | undefined {
  const problems: string[] = [];
  const rawLimit = query.get("limit");
  if (rawLimit !== null) {
    const limit = Number(rawLimit);
    if (!Number.isInteger(limit)) problems.push("limit must be an integer number");
    else if (limit > 200) problems.push("limit must not be greater than 200");
    else if (limit < 1) problems.push("limit must not be less than 1");
  }
  const sort = query.get("sort");
  if (sort !== null && !(sort in SORT_FIELDS)) {
    problems.push(`sort must be one of the following values: ${Object.keys(SORT_FIELDS).join(", ")}`);
  }
  const order = query.get("order");
  if (order !== null && !(SORT_ORDERS as readonly string[]).includes(order)) {
    problems.push(`order must be one of the following values: ${SORT_ORDERS.join(", ")}`);
  }
  return problems.length > 0 ? problems.join(", ") : undefined;
}

/** True when `box` passes the query's filters (prefixes case-insensitive, labels contained, states). */
function matches(box: SandboxRecord, query: URLSearchParams, labels: Record<string, unknown>): boolean {
  const id = query.get("id");
  const name = query.get("name");
  const states = query.getAll("states");
  const errored = box.state === "error" || box.state === "build_failed";
  return (
    Object.entries(labels).every(([k, v]) => box.labels[k] === v) &&
    (states.length === 0 || states.includes(box.state)) &&
    (!id || box.id.toLowerCase().startsWith(id.toLowerCase())) &&
    (!name || box.name.toLowerCase().startsWith(name.toLowerCase())) &&
    // An errored sandbox someone deleted is hidden unless `includeErroredDeleted=true`.
    !(errored && box.desiredState === "destroyed" && query.get("includeErroredDeleted") !== "true")
  );
}

/**
 * `GET /sandbox`: filters, `sort`/`order` (default `lastActivityAt desc`, ties by id in the same direction) and a
 * keyset cursor (the last item's sort value and id), so pages never repeat or skip an item when sandboxes are
 * created or deleted between them.
 */
export function listSandboxes(
  ctx: EmulatorContext,
  { request, url }: RouteInput,
  toolboxUrl: string,
): Response {
  const query = url.searchParams;
  const problems = queryProblems(query);
  if (problems) return apiError(400, problems, request);
  let labels: Record<string, unknown> = {};
  const rawLabels = query.get("labels");
  if (rawLabels) {
    try {
      const parsed: unknown = JSON.parse(rawLabels);
      labels = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return apiError(400, "Invalid labels JSON format", request);
    }
  }
  const field = (query.get("sort") ?? "lastActivityAt") as SortField;
  const direction = query.get("order") === "asc" ? 1 : -1;
  const read = SORT_FIELDS[field];
  const order = (a: { value: string | number; id: string }, b: { value: string | number; id: string }) =>
    direction * (compare(a.value, b.value) || compare(a.id, b.id));

  const rawCursor = query.get("cursor");
  const cursor = rawCursor ? decodeCursor(rawCursor) : undefined;
  if (rawCursor && !cursor) return apiError(400, `Invalid cursor provided: ${rawCursor}`, request);

  const sorted = [...ctx.state.sandboxes.values()]
    .filter((box) => box.state !== "destroyed" && matches(box, query, labels))
    .map((box) => ({ box, value: read(box), id: box.id }))
    .sort(order);
  const after = cursor
    ? sorted.filter((e) => order(e, { value: cursor.sortValue, id: cursor.id }) > 0)
    : sorted;
  const limit = query.get("limit") === null ? ctx.options.listPageSize : Number(query.get("limit"));
  const page = after.slice(0, limit);
  const last = page[page.length - 1];
  const body: ListSandboxesResponse = {
    items: page.map((e) => toListItem(e.box, toolboxUrl)),
    nextCursor: after.length > limit && last ? encodeCursor({ sortValue: last.value, id: last.id }) : null,
  };
  return HttpResponse.json(body);
}
