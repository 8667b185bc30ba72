/**
 * The session routes of a driver back end whose driver runs no real shell (the in-memory driver): a 501 naming the route, as every route a
 * stand-in does not serve answers (a 404 would read as "no such session").
 * @module
 */
import { apiError } from "../bodies.js";
import type { SessionRoutes } from "./toolbox-backend.js";

/** Answers any session route with 501 naming it. */
export const unservedSessions: SessionRoutes = (route, input) =>
  apiError(
    501,
    `${route} is not served by daytona-kit's driver toolbox back end over the in-memory driver (its mini shell cannot keep a session's state); sessions run with toolbox "local" and in the in-memory back end.`,
    input.request,
  );
