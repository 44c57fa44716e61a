import * as Sentry from "@sentry/react";
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { initSentry } from "../src/sentry/react";
import { forgetUser, identifyUser } from "../src/sentry/user";
import { capturingTransport, events } from "./capture";

const DSN = "https://public@sentry.example.com/42";

function Explode(): never {
  throw new Error("Payment failed for jane@example.com");
}

describe("initSentry (React)", () => {
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
    expect(initSentry()).toBe(false);
    expect(Sentry.isEnabled()).toBe(false);
  });

  it("installs router tracing and replay with the shared options", () => {
    const { transport } = capturingTransport();
    expect(initSentry({ transport })).toBe(true);
    const options = Sentry.getClient()!.getOptions();
    expect(options.environment).toBe("staging");
    expect(options.release).toBe("{{ cookiecutter.project_slug }}@9.9.9");
    expect(options.tracePropagationTargets).toEqual([expect.any(RegExp){% if cookiecutter.framework == "starlette-graphql" %}, expect.any(RegExp){% endif %}]);
    const names = options.integrations.map((integration) => integration.name);
    expect(names).toEqual(expect.arrayContaining(["BrowserTracing", "Replay"]));
  });

  it("reports a render error once through the error boundary, scrubbed and with the user", async () => {
    const { items, transport } = capturingTransport();
    initSentry({ transport });
    identifyUser({ id: 7, username: "jane" });
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const container = document.createElement("div");

    await act(async () => {
      createRoot(container).render(
        <Sentry.ErrorBoundary fallback={<p>fallback</p>}>
          <Explode />
        </Sentry.ErrorBoundary>,
      );
    });
    await Sentry.flush(2000);

    expect(container.textContent).toBe("fallback");
    const reported = events(items);
    expect(reported).toHaveLength(1);
    expect(reported[0].exception.values.at(-1).value).toBe("Payment failed for [Filtered]");
    expect(reported[0].user).toEqual({ id: "7"{% if cookiecutter.pii_mode == "standard" %}, username: "jane"{% endif %} });
  });

  it("clears the user on logout", async () => {
    const { items, transport } = capturingTransport();
    initSentry({ transport });
    identifyUser({ id: 7, username: "jane" });
    forgetUser();

    Sentry.captureMessage("after logout");
    await Sentry.flush(2000);

    expect(events(items)[0].user).toBeUndefined();
  });
});
