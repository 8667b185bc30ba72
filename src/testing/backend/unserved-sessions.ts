/**
 * The session routes of a driver back end that has no sessions of its own: a 501 naming the route, as every route a
 * stand-in does not serve answers (a 404 would read as "no such session").
 * @module
 */
import { apiError } from "../bodies.js";
import type { SessionRoutes } from "./toolbox-backend.js";

/** Answers any session route with 501 naming it. */
export const unservedSessions: SessionRoutes = (route, input) =>
  apiError(
    501,
    `${route} is not served by daytona-kit's driver toolbox back end yet (sessions run only in the in-memory back end).`,
    input.request,
  );
