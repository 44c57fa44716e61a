import * as Sentry from "@sentry/vue";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp, defineComponent } from "vue";
import { createMemoryHistory, createRouter } from "vue-router";

import { forgetUser, identifyUser } from "../src/sentry/user";
import { initSentry } from "../src/sentry/vue";
import { capturingTransport, events } from "./capture";

const DSN = "https://public@sentry.example.com/42";

function makeApp() {
  const app = createApp(defineComponent({ render: () => null }));
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/", component: {} }] });
  return { app, router };
}

describe("initSentry (Vue)", () => {
  beforeEach(() => {
    vi.stubEnv("VITE_SENTRY_DSN", DSN);
    vi.stubEnv("VITE_SENTRY_ENVIRONMENT", "staging");
    vi.stubEnv("VITE_SENTRY_RELEASE", "{{ cookiecutter.project_slug }}@9.9.9");
  });

  afterEach(async () => {
    await Sentry.close();
    vi.unstubAllEnvs();
  });

  it("stays off without a DSN", () => {
    vi.stubEnv("VITE_SENTRY_DSN", "");
    const { app, router } = makeApp();
    expect(initSentry(app, router)).toBe(false);
    expect(Sentry.isEnabled()).toBe(false);
  });

  it("installs router tracing and replay with the shared options", () => {
    const { app, router } = makeApp();
    const { transport } = capturingTransport();
    expect(initSentry(app, router, { transport })).toBe(true);
    const options = Sentry.getClient()!.getOptions();
    expect(options.environment).toBe("staging");
    expect(options.release).toBe("{{ cookiecutter.project_slug }}@9.9.9");
    expect(options.tracePropagationTargets).toEqual([expect.any(RegExp){% if cookiecutter.framework == "starlette-graphql" %}, expect.any(RegExp){% endif %}]);
    const names = options.integrations.map((integration) => integration.name);
    expect(names).toEqual(expect.arrayContaining(["BrowserTracing", "Replay", "Vue"]));
  });

  it("reports errors from app.config.errorHandler, scrubbed and with the user", async () => {
    const { app, router } = makeApp();
    const shown: unknown[] = [];
    app.config.errorHandler = (error) => shown.push(error);
    const { items, transport } = capturingTransport();
    initSentry(app, router, { transport });
    identifyUser({ id: 7, username: "jane" });

    app.config.errorHandler!(new Error("Payment failed for jane@example.com"), null, "test");
    await Sentry.flush(2000);

    const [event] = events(items);
    expect(event.exception.values[0].value).toBe("Payment failed for [Filtered]");
    expect(event.user).toEqual({ id: "7"{% if cookiecutter.pii_mode == "standard" %}, username: "jane"{% endif %} });
    expect(event.environment).toBe("staging");
    expect(shown).toHaveLength(1);
  });

  it("clears the user on logout", async () => {
    const { app, router } = makeApp();
    const { items, transport } = capturingTransport();
    initSentry(app, router, { transport });
    identifyUser({ id: 7, username: "jane" });
    forgetUser();

    Sentry.captureMessage("after logout");
    await Sentry.flush(2000);

    expect(events(items)[0].user).toBeUndefined();
  });
});
