/**
 * The Sentry options shared by every frontend; the framework's init adds only its
 * integrations (router tracing, error handler). No SDK import, so it tests offline.
 */
import type { SentryConfig } from "./config";
import { addSensitiveKeys, scrubEvent, scrubSpan, type PiiMode } from "./scrubber";

// Browser traces continue in the backend only for the service's own API (same
// origin, so no CORS preflight for the sentry-trace and baggage headers).
export const TRACE_PROPAGATION_TARGETS: (string | RegExp)[] = [/^\/api\//{% if cookiecutter.framework == "starlette-graphql" %}, /^\/graphql\b/{% endif %}];

export const REPLAY_SESSION_SAMPLE_RATE = 0.1;
export const REPLAY_ON_ERROR_SAMPLE_RATE = 1.0;
// rrweb's custom events (breadcrumbs, spans) in a replay; the DOM events are masked.
const REPLAY_CUSTOM_EVENT = 5;

/**
 * Replays show the page's shape, never what it says or what a user typed; the
 * breadcrumbs and spans they carry are scrubbed like events.
 */
export function replayOptions(mode: PiiMode) {
  return {
    maskAllText: true,
    maskAllInputs: true,
    blockAllMedia: true,
    beforeAddRecordingEvent: <T extends { type: number }>(event: T): T | null =>
      event.type === REPLAY_CUSTOM_EVENT ? scrubEvent(event, mode) : event,
  };
}

// Noise no one can act on: browser quirks, extensions, aborted navigations.
export const IGNORE_ERRORS: (string | RegExp)[] = [
  "ResizeObserver loop limit exceeded",
  "ResizeObserver loop completed with undelivered notifications",
  "Non-Error promise rejection captured",
  /^AbortError\b/,
  /Failed to fetch dynamically imported module/,
  /^Script error\.?$/,
];
export const DENY_URLS: RegExp[] = [/^chrome-extension:\/\//, /^moz-extension:\/\//, /^safari-extension:\/\//];

export interface SharedOptions {
  dsn: string | undefined;
  enabled: boolean;
  environment: string;
  release: string | undefined;
  tracesSampleRate: number;
  tracePropagationTargets: (string | RegExp)[];
  replaysSessionSampleRate: number;
  replaysOnErrorSampleRate: number;
  sendDefaultPii: false;
  ignoreErrors: (string | RegExp)[];
  denyUrls: RegExp[];
  beforeSend: <T extends object>(event: T) => T | null;
  beforeBreadcrumb: <T extends object>(breadcrumb: T) => T | null;
  beforeSendSpan: <T extends { name: string; attributes?: object }>(span: T) => T;
}

export function sharedOptions(config: SentryConfig): SharedOptions {
  addSensitiveKeys(config.extraSensitiveKeys);
  return {
    dsn: config.dsn,
    enabled: config.dsn !== undefined,
    environment: config.environment,
    release: config.release,
    tracesSampleRate: config.tracesSampleRate,
    tracePropagationTargets: TRACE_PROPAGATION_TARGETS,
    replaysSessionSampleRate: REPLAY_SESSION_SAMPLE_RATE,
    replaysOnErrorSampleRate: REPLAY_ON_ERROR_SAMPLE_RATE,
    sendDefaultPii: false,
    ignoreErrors: IGNORE_ERRORS,
    denyUrls: DENY_URLS,
    beforeSend: (event) => scrubEvent(event, config.piiMode),
    // Scrubbed when recorded too: replays carry breadcrumbs without passing beforeSend.
    beforeBreadcrumb: (breadcrumb) => scrubEvent(breadcrumb, config.piiMode),
    // Spans are streamed (the SDK's default), so they are scrubbed one by one.
    beforeSendSpan: (span) => scrubSpan(span, config.piiMode),
  };
}

/** Logs whether the browser sends to Sentry, in the backend's words; returns it. */
export function announce(config: SentryConfig): boolean {
  if (!config.dsn) {
    console.info("Sentry disabled: VITE_SENTRY_DSN is not set");
    return false;
  }
  console.info(`Sentry initialized for environment: ${config.environment}`);
  return true;
}

export interface SignedInUser {
  id: number | string;
  username: string;
}

/** What Sentry may know of the signed-in user: the id, plus the username in standard mode. */
export function sentryUser(user: SignedInUser, mode: PiiMode): { id: string; username?: string } {
  const id = String(user.id);
  return mode === "strict" ? { id } : { id, username: user.username };
}
