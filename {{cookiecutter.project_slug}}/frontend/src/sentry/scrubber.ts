/**
 * Remove secrets and personal data from browser events before they leave the page:
 * the same policy as the backend's `core/scrubber.py`.
 *
 * - keys: a key containing a fragment of SENSITIVE_KEYS (case-insensitive, with
 *   `-`, `.` and camelCase normalised) gets its value replaced, anywhere in the event;
 * - values: every string is searched for e-mail addresses, Luhn-valid card numbers,
 *   Bearer/Basic credentials, JWTs, credentials in URLs and `key=value` pairs with a
 *   sensitive key; strict mode adds phone numbers and IP addresses. Only the match
 *   is replaced, the rest of the text stays readable;
 * - user: standard mode keeps id, username and e-mail; strict mode keeps the id only.
 */

export type PiiMode = "standard" | "strict";

export const FILTERED = "[Filtered]";

export const SENSITIVE_KEYS: readonly string[] = [
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "secret",
  "token",
  "api_key",
  "apikey",
  "access_key",
  "private_key",
  "authorization",
  "auth",
  "credential",
  "cookie",
  "session",
  "sessid",
  "csrf",
  "xsrf",
  "jwt",
  "bearer",
  "ssn",
  "card_number",
  "credit_card",
  "cvv",
  "cvc",
  "iban",
];

// Identifiers the SDK generates: never sensitive, and a trace id must stay intact.
const OPAQUE_KEYS = new Set([
  "event_id",
  "trace_id",
  "span_id",
  "parent_span_id",
  "replay_id",
  "timestamp",
  "start_timestamp",
  "sample_rand",
]);
// Sensitive-looking keys that name a count or a duration ("max_tokens"): numbers
// under them carry no secret.
const COUNTER_KEY = /(?:^|_)(?:count|tokens|size|length|ttl|age|expires_in|timeout|limit)$/;

const EMAIL =
  /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const AUTH_SCHEME = /\b(Bearer|BEARER|Basic|BASIC)([ \t]+)[A-Za-z0-9._~+/-]+=*/g;
const URL_CREDENTIALS = /:\/\/[^\s/?#@'"<>]+(?:@[^\s/?#@'"<>]+)*@/g;
// "+" separates the groups in form-encoded query strings.
const CARD = /\b[2-6][0-9](?:[ +-]?[0-9]){11,17}\b/g;
const PHONE =
  /(?:\+[0-9]{1,3}[ .-]?(?:\([0-9]{1,4}\)[ .-]?)?[0-9]{1,4}(?:[ .-]?[0-9]{2,4}){1,4}|(?:\([0-9]{3}\)[ ]?|\b[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4})\b/g;
const IPV4 = /\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}\b/g;
const IPV6 =
  /\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?\b/g;
// key=value or key: value inside free text (query strings, log lines, messages).
const KEY_SEPARATOR = /([A-Za-z0-9_.-]+)(\s*[=:]\s*)/g;
const KEY_VALUE = /"[^"]*"|'[^']*'|(?:(?:[Bb]earer|[Bb]asic)[ \t]+)?[^\s&,;"'<>{}[\]()]+/y;

let sensitiveKeys: string[] = SENSITIVE_KEYS.map(normaliseKey);

/** Add keys (e.g. from VITE_SENTRY_EXTRA_SENSITIVE_KEYS) to the sensitive list. */
export function addSensitiveKeys(keys: Iterable<string>): void {
  const extra = [...keys].map(normaliseKey).filter((key) => key.length > 0);
  sensitiveKeys = [...new Set([...sensitiveKeys, ...extra])];
}

function normaliseKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_");
}

export function isSensitiveKey(key: string): boolean {
  const normalised = normaliseKey(key);
  const flat = normalised.replace(/_/g, "");
  return sensitiveKeys.some((fragment) => {
    const bare = fragment.replace(/_/g, "");
    // Short fragments ("pwd", "pin") only count as whole words.
    if (bare.length <= 4) {
      return normalised.split("_").includes(fragment) || flat === bare;
    }
    return flat.includes(bare);
  });
}

/** Replace the value after every sensitive key; other values are still searched. */
function scrubKeyValues(text: string): string {
  let result = "";
  let copied = 0;
  KEY_SEPARATOR.lastIndex = 0;
  for (let match = KEY_SEPARATOR.exec(text); match; match = KEY_SEPARATOR.exec(text)) {
    const valueStart = match.index + match[0].length;
    if (!isSensitiveKey(match[1])) continue;
    KEY_VALUE.lastIndex = valueStart;
    const value = KEY_VALUE.exec(text);
    if (!value || value[0] === FILTERED) continue;
    result += text.slice(copied, valueStart) + FILTERED;
    copied = valueStart + value[0].length;
    KEY_SEPARATOR.lastIndex = copied;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function scrubCards(text: string): string {
  return text.replace(CARD, (match) => {
    const digits = match.replace(/[ +-]/g, "");
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? FILTERED : match;
  });
}

/** Percent-encoding hides values from the patterns ("leak%40example.com"): such
 * text is scrubbed in its decoded form. */
function percentDecoded(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // "50% off" is not encoded.
  }
}

/** Replace every secret or personal value found in free text. */
export function scrubText(text: string, mode: PiiMode = "standard"): string {
  const plain = percentDecoded(text);
  let scrubbed = scrubKeyValues(plain.replace(URL_CREDENTIALS, `://${FILTERED}@`).replace(JWT, FILTERED))
    .replace(AUTH_SCHEME, `$1$2${FILTERED}`)
    .replace(EMAIL, FILTERED);
  scrubbed = scrubCards(scrubbed);
  if (mode === "strict") {
    scrubbed = scrubbed.replace(PHONE, FILTERED).replace(IPV4, FILTERED).replace(IPV6, FILTERED);
  }
  return scrubbed;
}

function scrubValue(value: unknown, mode: PiiMode, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return scrubText(value, mode);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) value[i] = scrubValue(value[i], mode, seen);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (OPAQUE_KEYS.has(key)) continue;
    if (isSensitiveKey(key)) {
      const isCounter = typeof child === "number" && COUNTER_KEY.test(normaliseKey(key));
      if (!isCounter && child !== null && child !== undefined && child !== "") {
        record[key] = FILTERED;
      }
      continue;
    }
    record[key] = scrubValue(child, mode, seen);
  }
  return record;
}

/** The user fields each mode lets through. */
function scrubUser(user: Record<string, unknown>, mode: PiiMode): Record<string, unknown> {
  const allowed = mode === "strict" ? ["id"] : ["id", "username", "email"];
  return Object.fromEntries(
    Object.entries(user).filter(([key, value]) => allowed.includes(key) && value !== undefined && value !== null),
  );
}

/**
 * Scrub a Sentry event in place and return it (for beforeSend and
 * beforeSendTransaction). Never throws: if scrubbing fails the event is dropped
 * rather than sent unscrubbed.
 */
export function scrubEvent<T extends object>(event: T, mode: PiiMode = "standard"): T | null {
  try {
    const record = event as Record<string, unknown>;
    const user = record.user as Record<string, unknown> | undefined;
    delete record.user;
    scrubValue(record, mode, new WeakSet());
    const kept = user ? scrubUser(user, mode) : {};
    if (Object.keys(kept).length > 0) record.user = kept;
    return event;
  } catch (error) {
    console.error("Sentry event dropped: scrubbing failed", error);
    return null;
  }
}

/**
 * Scrub a streamed span in place (for beforeSendSpan, which may not drop a span):
 * its name and attributes. If scrubbing fails, both are blanked rather than sent.
 */
export function scrubSpan<T extends { name: string; attributes?: object }>(span: T, mode: PiiMode = "standard"): T {
  try {
    span.name = scrubText(span.name, mode);
    if (span.attributes) scrubValue(span.attributes, mode, new WeakSet());
  } catch (error) {
    console.error("Sentry span blanked: scrubbing failed", error);
    span.name = FILTERED;
    span.attributes = {};
  }
  return span;
}
