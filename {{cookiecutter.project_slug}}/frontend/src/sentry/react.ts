/** Sentry for the React app: shared options plus router tracing and replay. */
import * as Sentry from "@sentry/react";
import { reactRouterBrowserTracingIntegration } from "@sentry/react/react-router";

import { readConfig } from "./config";
import { announce, replayOptions, sharedOptions } from "./options";

/**
 * Initialise Sentry before the first render; returns whether events are sent.
 * `overrides` replace single options (tests pass a transport).
 */
export function initSentry(overrides: Partial<Sentry.BrowserOptions> = {}): boolean {
  const config = readConfig(import.meta.env);
  Sentry.init({
    ...sharedOptions(config),
    integrations: [reactRouterBrowserTracingIntegration(), Sentry.replayIntegration(replayOptions(config.piiMode))],
    ...overrides,
  });
  return announce(config);
}
