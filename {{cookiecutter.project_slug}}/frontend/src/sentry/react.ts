/** Sentry for the React app: shared options plus router tracing and replay. */
import * as Sentry from "@sentry/react";
import { reactRouterBrowserTracingIntegration } from "@sentry/react/react-router";

import { readConfig } from "./config";
import { replayOptions, sharedOptions } from "./options";

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
  if (!config.dsn) {
    console.info("Sentry disabled: VITE_SENTRY_DSN is not set");
    return false;
  }
  console.info(`Sentry initialized for environment: ${config.environment}`);
  return true;
}
