import { describe, expect, it } from "vitest";

import { ConfigError, DEFAULT_ENVIRONMENT, readConfig, TRACES_SAMPLE_RATES } from "../src/sentry/config";
import {
  IGNORE_ERRORS,
  replayOptions,
  sentryUser,
  sharedOptions,
  TRACE_PROPAGATION_TARGETS,
} from "../src/sentry/options";
import { FILTERED } from "../src/sentry/scrubber";

const DSN = "https://public@sentry.example.com/42";

describe("readConfig", () => {
  it("leaves Sentry off without a DSN and uses the baked defaults", () => {
    const config = readConfig({});
    expect(config.dsn).toBeUndefined();
    expect(config.environment).toBe(DEFAULT_ENVIRONMENT);
    expect(config.tracesSampleRate).toBe(TRACES_SAMPLE_RATES[DEFAULT_ENVIRONMENT]);
    expect(config.piiMode).toBe("{{ cookiecutter.pii_mode }}");
  });

  it("reads the VITE_SENTRY_* variables", () => {
    const config = readConfig({
      VITE_SENTRY_DSN: DSN,
      VITE_SENTRY_ENVIRONMENT: "staging",
      VITE_SENTRY_RELEASE: "{{ cookiecutter.project_slug }}@1.2.3",
      VITE_SENTRY_TRACES_SAMPLE_RATE: "0.25",
      VITE_SENTRY_PII_MODE: "strict",
      VITE_SENTRY_EXTRA_SENSITIVE_KEYS: "order_ref, loyalty_id",
    });
    expect(config).toEqual({
      dsn: DSN,
      environment: "staging",
      release: "{{ cookiecutter.project_slug }}@1.2.3",
      tracesSampleRate: 0.25,
      piiMode: "strict",
      extraSensitiveKeys: ["order_ref", "loyalty_id"],
    });
  });

  it("takes the traces preset of the environment", () => {
    expect(readConfig({ VITE_SENTRY_ENVIRONMENT: "production" }).tracesSampleRate).toBe(TRACES_SAMPLE_RATES.production);
  });

  it.each([
    ["VITE_SENTRY_TRACES_SAMPLE_RATE", "1.5"],
    ["VITE_SENTRY_TRACES_SAMPLE_RATE", "lots"],
    ["VITE_SENTRY_PII_MODE", "relaxed"],
    ["VITE_SENTRY_DSN", "not a url"],
    ["VITE_SENTRY_DSN", "https://sentry.example.com/42"],
    ["VITE_SENTRY_RELEASE", "1.0/beta"],
    ["VITE_SENTRY_RELEASE", "1.0\\beta"],
    ["VITE_SENTRY_RELEASE", ".."],
    ["VITE_SENTRY_RELEASE", "r".repeat(201)],
  ])("refuses %s=%s, naming the variable", (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(name);
  });
});

describe("sharedOptions", () => {
  const options = sharedOptions(readConfig({ VITE_SENTRY_DSN: DSN, VITE_SENTRY_ENVIRONMENT: "staging" }));

  it("sends to the DSN with the environment, never default PII", () => {
    expect(options.dsn).toBe(DSN);
    expect(options.enabled).toBe(true);
    expect(options.environment).toBe("staging");
    expect(options.sendDefaultPii).toBe(false);
  });

  it("is disabled without a DSN", () => {
    expect(sharedOptions(readConfig({})).enabled).toBe(false);
  });

  it("replays 10% of sessions and every session with an error, masked", () => {
    expect(options.replaysSessionSampleRate).toBe(0.1);
    expect(options.replaysOnErrorSampleRate).toBe(1.0);
    expect(replayOptions("standard")).toMatchObject({ maskAllText: true, maskAllInputs: true, blockAllMedia: true });
  });

  it("scrubs the breadcrumbs a replay carries, leaves its DOM events alone", () => {
    const { beforeAddRecordingEvent } = replayOptions("standard");
    const breadcrumb = { type: 5, data: { tag: "breadcrumb", payload: { message: "Error: for jane@example.com" } } };
    expect(beforeAddRecordingEvent(breadcrumb)).toEqual({
      type: 5,
      data: { tag: "breadcrumb", payload: { message: `Error: for ${FILTERED}` } },
    });
    const snapshot = { type: 2, data: { node: { textContent: "jane@example.com" } } };
    expect(beforeAddRecordingEvent(snapshot)).toBe(snapshot);
  });

  it("scrubs breadcrumbs when they are recorded", () => {
    const breadcrumb = { category: "console", message: "Error: Payment failed for jane@example.com" };
    expect(options.beforeBreadcrumb(breadcrumb)).toEqual({
      category: "console",
      message: `Error: Payment failed for ${FILTERED}`,
    });
  });

  it("propagates traces to the service's own API only", () => {
    const propagates = (url: string) =>
      TRACE_PROPAGATION_TARGETS.some((target) =>
        typeof target === "string" ? url.includes(target) : target.test(url),
      );
    expect(propagates("/api/v1/auth/me")).toBe(true);
    expect(propagates("https://cdn.example.com/app.js")).toBe(false);
    expect(propagates("https://other.example.com/api/v1/")).toBe(false);
  });

  it("ignores browser noise", () => {
    expect(IGNORE_ERRORS).toContain("ResizeObserver loop limit exceeded");
  });

  it("scrubs events and spans before they are sent", () => {
    const event = { message: "for jane@example.com", extra: { password: "hunter2" } };
    expect(options.beforeSend(event)).toEqual({ message: `for ${FILTERED}`, extra: { password: FILTERED } });
    const span = {
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      name: "GET /reset?token=abc",
      attributes: { "url.full": "https://shop.test/reset?token=abc", "http.request.header.authorization": "Bearer x" },
    };
    expect(options.beforeSendSpan(span)).toEqual({
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      name: `GET /reset?token=${FILTERED}`,
      attributes: {
        "url.full": `https://shop.test/reset?token=${FILTERED}`,
        "http.request.header.authorization": FILTERED,
      },
    });
  });

  it("adds VITE_SENTRY_EXTRA_SENSITIVE_KEYS to the scrubbed keys", () => {
    const custom = sharedOptions(readConfig({ VITE_SENTRY_EXTRA_SENSITIVE_KEYS: "loyalty_id" }));
    expect(custom.beforeSend({ extra: { loyalty_id: "L-1" } })).toEqual({ extra: { loyalty_id: FILTERED } });
  });
});

describe("sentryUser", () => {
  const user = { id: 7, username: "jane" };

  it("sends the id and username in standard mode", () => {
    expect(sentryUser(user, "standard")).toEqual({ id: "7", username: "jane" });
  });

  it("sends the id only in strict mode", () => {
    expect(sentryUser(user, "strict")).toEqual({ id: "7" });
  });
});
