import { describe, expect, it, vi } from "vitest";

import policy from "../../{{ cookiecutter.project_slug }}/core/scrubbing_policy.json";
import { FILTERED, isSensitiveKey, keyRule, scrubEvent, scrubText, type PiiMode } from "../src/sentry/scrubber";

// The cases the backend's tests run too (core/scrubbing_policy.json).
describe.each(["standard", "strict"] as PiiMode[])("shared text cases, %s mode", (mode) => {
  const cases = policy.text_cases.filter((c) => c.mode === "both" || c.mode === mode);
  it.each(cases.map((c) => [c.input, c.expected]))("%s", (input, expected) => {
    expect(scrubText(input, mode)).toBe(expected);
  });
});

describe("shared key cases", () => {
  it.each(policy.key_cases.map((c) => [c.key, c.rule]))("%s is %s", (key, rule) => {
    expect(keyRule(key)).toBe(rule);
  });
});

// 4111 1111 1111 1111 is a Luhn-valid test card; 4111 1111 1111 1112 is not.
const VALUES: [string, string][] = [
  ["contact jane.doe+shop@example.co.uk now", `contact ${FILTERED} now`],
  ["card 4111 1111 1111 1111 declined", `card ${FILTERED} declined`],
  ["card 4111-1111-1111-1111", `card ${FILTERED}`],
  ["Authorization: Bearer abc.DEF-123_x", `Authorization: ${FILTERED}`],
  ["sent Bearer abc.DEF-123_x upstream", `sent Bearer ${FILTERED} upstream`],
  ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end", `jwt ${FILTERED} end`],
  ["GET /cb?code=1&access_token=s3cr3t&page=2", `GET /cb?code=1&access_token=${FILTERED}&page=2`],
  ["postgres://app:hunter2@db:5432/app", `postgres://${FILTERED}@db:5432/app`],
  ["password=hunter2 retry", `password=${FILTERED} retry`],
  ["/users/jane%40example.com?card=4111+1111+1111+1111", `/users/${FILTERED}?card=${FILTERED}`],
];
const KEPT = [
  "order 1234 shipped",
  "card 4111 1111 1111 1112 is not Luhn-valid",
  "trace 4bf92f3577b34da6a3ce929d0e0e4736",
  "call +1 415 555 2671 or 10.0.0.1 (kept in standard mode)",
  "50% off, 100%",
];

describe("scrubText", () => {
  it.each(VALUES)("scrubs %s", (text, expected) => {
    expect(scrubText(text)).toBe(expected);
  });

  it.each(KEPT)("keeps %s", (text) => {
    expect(scrubText(text)).toBe(text);
  });

  it("scrubs phones and IP addresses in strict mode only", () => {
    const text = "call +1 415 555 2671 from 10.0.0.1 or 2001:db8::1";
    expect(scrubText(text, "strict")).toBe(`call ${FILTERED} from ${FILTERED} or ${FILTERED}`);
    expect(scrubText(text, "standard")).toBe(text);
  });
});

describe("isSensitiveKey", () => {
  it.each([
    "password",
    "X-Api-Key",
    "db_password",
    "accessToken",
    "Set-Cookie",
    "sessionid",
    "pwd",
    "pass",
    "pin",
    "otp",
  ])("%s is sensitive", (key) => expect(isSensitiveKey(key)).toBe(true));

  it.each(["username", "description", "path", "compass", "opinion"])("%s is not", (key) =>
    expect(isSensitiveKey(key)).toBe(false),
  );
});

describe("scrubEvent", () => {
  const event = () => ({
    event_id: "a".repeat(32),
    message: "checkout failed for jane@example.com",
    exception: { values: [{ type: "Error", value: "Payment failed for jane@example.com" }] },
    request: { url: "https://shop.test/pay?token=abc", headers: { Authorization: "Bearer abc", Accept: "*/*" } },
    breadcrumbs: [{ category: "console", message: "user typed 4111 1111 1111 1111" }],
    extra: {
      payload: { password: "hunter2", nested: [{ apiKey: "k-123" }] },
      max_tokens: 10,
      argv: ["app", "--password", "argv-secret"],
      headers: { "CF-Connecting-IP": "203.0.113.7" },
    },
    contexts: { trace: { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" } },
    user: { id: "7", username: "jane", email: "jane@example.com", ip_address: "10.1.2.3" },
  });

  it("removes every secret and e-mail, keeping ids and the rest of the text", () => {
    const scrubbed = scrubEvent(event())!;
    const { user, ...rest } = scrubbed;
    const json = JSON.stringify(rest);
    for (const secret of [
      "jane@example.com",
      "hunter2",
      "k-123",
      "4111",
      "Bearer abc",
      "token=abc",
      "argv-secret",
      "203.0.113.7",
    ]) {
      expect(json).not.toContain(secret);
    }
    expect(user).toBeDefined();
    expect(scrubbed.exception.values[0].value).toBe(`Payment failed for ${FILTERED}`);
    expect(scrubbed.request.url).toBe(`https://shop.test/pay?token=${FILTERED}`);
    expect(scrubbed.request.headers.Accept).toBe("*/*");
    expect(scrubbed.extra.max_tokens).toBe(10);
    expect(scrubbed.contexts.trace.trace_id).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(scrubbed.event_id).toBe("a".repeat(32));
  });

  it("gives the value of a {name, value} object the name's rule", () => {
    const env = [
      { name: "DB_PASSWORD", value: "hunter2" },
      { name: "LOG_LEVEL", value: "info" },
      { Key: "api_token", Value: "tok-1" },
      { name: "X-Forwarded-For", value: "203.0.113.7", comment: "" },
      { loc: ["body", "password"], input: "hunter2", type: "too_short" },
    ];
    const scrubbed = scrubEvent({ extra: { env } })!;
    const values = scrubbed.extra.env.map((item) => Object.values(item)[1]); // Each value comes second.
    expect(values).toEqual([FILTERED, "info", FILTERED, FILTERED, FILTERED]);
  });

  it("hides a client address with an IPv4 address inside whole, in both modes", () => {
    for (const mode of ["standard", "strict"] as PiiMode[]) {
      const headers = {
        "X-Forwarded-For": "::ffff:203.0.113.7, 64:ff9b::203.0.113.8",
        "X-Real-IP": "[::203.0.113.9]:443",
      };
      expect(scrubEvent({ request: { headers } }, mode)!.request.headers).toEqual({
        "X-Forwarded-For": `${FILTERED}, ${FILTERED}`,
        "X-Real-IP": `[${FILTERED}]:443`,
      });
    }
  });

  it("hides values under personal keys in strict mode only", () => {
    const extra = () => ({ phone: "4155552671", mobile_number: "07911123456", phone_count: 2 });
    expect(scrubEvent({ extra: extra() }, "strict")!.extra).toEqual({
      phone: FILTERED,
      mobile_number: FILTERED,
      phone_count: 2,
    });
    expect(scrubEvent({ extra: extra() }, "standard")!.extra).toEqual(extra());
  });

  it("keeps id, username and e-mail of the user in standard mode", () => {
    expect(scrubEvent(event(), "standard")!.user).toEqual({ id: "7", username: "jane", email: "jane@example.com" });
  });

  it("drops a user with nothing left (after logout)", () => {
    expect(scrubEvent({ user: { id: undefined, email: undefined } })).toEqual({});
  });

  it("keeps only the user id in strict mode", () => {
    expect(scrubEvent(event(), "strict")!.user).toEqual({ id: "7" });
  });

  it("drops the event rather than send it unscrubbed when scrubbing fails", () => {
    const hostile = { message: "x" };
    Object.defineProperty(hostile, "extra", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(scrubEvent(hostile)).toBeNull();
    expect(logged).toHaveBeenCalledWith("Sentry event dropped: scrubbing failed", expect.any(Error));
  });
});
