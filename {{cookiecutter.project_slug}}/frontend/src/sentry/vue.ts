/** Sentry for the Vue app: shared options plus router tracing, replay and the error handler. */
import * as Sentry from "@sentry/vue";
import type { App } from "vue";
import type { Router } from "vue-router";

import { readConfig } from "./config";
import { announce, replayOptions, sharedOptions } from "./options";

/**
 * Initialise Sentry before the app mounts; returns whether events are sent.
 * `overrides` replace single options (tests pass a transport).
 */
export function initSentry(app: App, router: Router, overrides: Partial<Sentry.BrowserOptions> = {}): boolean {
  const config = readConfig(import.meta.env);
  Sentry.init({
    app,
    ...sharedOptions(config),
    integrations: [
      Sentry.browserTracingIntegration({ router }),
      Sentry.replayIntegration(replayOptions(config.piiMode)),
    ],
    ...overrides,
  });
  return announce(config);
}
