/**
 * What a route's resolver receives (apart from the pipeline, so back ends can name it without a cycle).
 * @module
 */
/** What a route's resolver receives. */
export interface RouteInput {
  readonly request: Request;
  readonly params: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly url: URL;
}
