/**
 * Remove secrets and personal data from browser events before they leave the page,
 * with the backend's policy: this file and `core/scrubber.py` both read
 * `{{ cookiecutter.project_slug }}/core/scrubbing_policy.json` (the key rules, the ordered table of
 * value detectors, the credential formats) and both test suites run its shared cases.
 *
 * - keys: under a sensitive key (`db_password`, `X-Api-Key`) a value becomes
 *   `[Filtered]`; under a client-address key (`X-Forwarded-For`) its IP addresses do;
 * - values: every string goes through the detectors of the PII mode, decoded first
 *   when it holds %XX escapes, backslash escapes, HTML entities or base64 JSON;
 * - user: standard mode keeps id, username and e-mail; strict mode keeps the id only.
 */
import policy from "../../../{{ cookiecutter.project_slug }}/core/scrubbing_policy.json";

export type PiiMode = "standard" | "strict";
type Rule = "sensitive" | "counter" | "client_address" | "text";

export const FILTERED = "[Filtered]";
export const SENSITIVE_KEYS: readonly string[] = policy.keys.sensitive;
const SHORT_FRAGMENT = 4;

const harmless = new Set(policy.keys.harmless_words);

/** A key's lowercase words: "X-Api-Key" gives ["x", "api", "key"]. */
export function keyWords(key: string): string[] {
  const spaced = key.replace(/([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])/g, (_, a, b, c, d) =>
    a !== undefined ? `${a}_${b}` : `${c}_${d}`,
  );
  return spaced
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** Whether a key's words hold a fragment: a long one anywhere in the words run
 * together ("dbpassword"), a short one as a whole word. */
function fragmentsMatcher(fragments: readonly string[]): (words: string[]) => boolean {
  const flat = new Set(fragments.map((fragment) => keyWords(fragment).join("")));
  const short = new Set([...flat].filter((f) => f.length <= SHORT_FRAGMENT));
  const long = [...flat].filter((f) => f.length > SHORT_FRAGMENT);
  return (words) => words.some((word) => short.has(word)) || long.some((f) => words.join("").includes(f));
}

let isSensitive = fragmentsMatcher(SENSITIVE_KEYS);
const isClientAddress = fragmentsMatcher(policy.keys.client_address);
// Sensitive in strict mode only: personal data a pattern cannot always find.
const isPersonal = fragmentsMatcher(policy.keys.personal);
const kept = new Set(policy.keys.not_sensitive.map((key) => keyWords(key).join("_")));
const counters = new Set(policy.keys.counters);
const rules = new Map<string, Rule>();

/** Add keys (e.g. from VITE_SENTRY_EXTRA_SENSITIVE_KEYS) to the sensitive list. */
export function addSensitiveKeys(keys: Iterable<string>): void {
  isSensitive = fragmentsMatcher([...SENSITIVE_KEYS, ...[...keys].map((key) => key.trim()).filter(Boolean)]);
  rules.clear();
}

export function keyRule(key: string, mode: PiiMode = "standard"): Rule {
  let rule = rules.get(`${mode}:${key}`);
  if (rule === undefined) {
    const words = keyWords(key).filter((word) => !harmless.has(word));
    const sensitive = isSensitive(words) || (mode === "strict" && isPersonal(words));
    if (words.length === 0 || kept.has(words.join("_"))) rule = "text";
    else if (sensitive) rule = counters.has(words[words.length - 1]) ? "counter" : "sensitive";
    else rule = isClientAddress(words) ? "client_address" : "text";
    rules.set(`${mode}:${key}`, rule);
  }
  return rule;
}

export function isSensitiveKey(key: string): boolean {
  const rule = keyRule(key);
  return rule === "sensitive" || rule === "counter";
}

// Query placeholders (`password = %s`, `token IN (?, ?)`) and booleans hold no secret.
const ONE_PLACEHOLDER = String.raw`(?:%s|\?|%\(\w+\)s|:[A-Za-z_]\w*|\$\d+)(?:::\w+)?`;
const PLACEHOLDER = new RegExp(
  String.raw`^(?:${ONE_PLACEHOLDER}|\(\s*${ONE_PLACEHOLDER}(?:\s*,\s*${ONE_PLACEHOLDER})*\s*\)|\{\w*\}|None|null|true|false)$`,
);

/** Whether `value`, found under `key`, is replaced. */
function hides(key: string, value: unknown, mode: PiiMode): boolean {
  const rule = keyRule(key, mode);
  if ((rule !== "sensitive" && rule !== "counter") || value === null || value === undefined) return false;
  if (typeof value === "boolean" || value === "" || value === FILTERED) return false;
  if (typeof value === "string" && PLACEHOLDER.test(value)) return false;
  const numeric = typeof value === "number" || (typeof value === "string" && /^-?\d+(?:\.\d+)?$/.test(value));
  return rule === "sensitive" || !numeric;
}

// --- values ---------------------------------------------------------------------------

function luhnValid(number: string): boolean {
  const digits = [...number]
    .filter((c) => c >= "0" && c <= "9")
    .reverse()
    .map(Number);
  const sum = digits.reduce((total, d, i) => total + (i % 2 ? (d > 4 ? d * 2 - 9 : d * 2) : d), 0);
  return digits.length >= 13 && digits.length <= 19 && sum % 10 === 0;
}

/** Where the card number is in `number` (a run of digit groups): all of it if it passes
 * the Luhn check, else the longest run of its whole groups that does (13 to 19 digits,
 * the leftmost of equals): "4111111111111111 404" holds a card and a number. */
function cardSpan(number: string): [number, number] | null {
  if (luhnValid(number)) return [0, number.length];
  const groups = [...number.matchAll(/\d+/g)].map((group) => [group.index, group.index + group[0].length]);
  const runs = groups.flatMap(([start], i) => groups.slice(i).map(([, end]) => [start, end] as [number, number]));
  const digits = ([start, end]: [number, number]) => number.slice(start, end).replace(/\D/g, "").length;
  runs.sort((a, b) => digits(b) - digits(a) || a[0] - b[0]);
  return runs.find(([start, end]) => luhnValid(number.slice(start, end))) ?? null;
}

function isIpv4(text: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(text) && text.split(".").every((octet) => Number(octet) <= 255);
}

function isIpAddress(text: string): boolean {
  if (isIpv4(text)) return true;
  // An IPv6 address may end in an IPv4 one (::ffff:203.0.113.7): its last two groups.
  const embedded = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (embedded) return isIpv4(embedded[2]) && isIpAddress(`${embedded[1]}0:0`);
  if (!text.includes(":") || !/^[0-9A-Fa-f:]+$/.test(text)) return false;
  const groups = text.split("::");
  const parts = groups.flatMap((group) => (group ? group.split(":") : []));
  return (
    groups.length <= 2 &&
    parts.every((part) => part.length <= 4) &&
    (groups.length === 2 ? parts.length < 8 : parts.length === 8)
  );
}

// What a detector's match must pass, or the [start, end] of the part of it that does.
const CHECKS: Record<string, (text: string) => boolean | [number, number] | null> = {
  luhn: cardSpan,
  ip_address: isIpAddress,
  // "Bearer abc123def" holds a credential; "Bearer token" is prose.
  credential: (text) => (text.length >= 8 && !/^[A-Za-z]+$/.test(text)) || text.length >= 20,
  phone_number: (text) => {
    const digits = text.replace(/\D/g, "").length;
    return digits >= 8 && digits <= 15;
  },
};

/** Replace each match of `pattern` (its first group, if any) that passes `check`, or
 * the part of it `check` names. */
function replaceMatches(
  text: string,
  pattern: RegExp,
  check?: (text: string) => boolean | [number, number] | null,
): string {
  let result = "";
  let done = 0;
  for (const match of text.matchAll(pattern)) {
    const [start, end] =
      match.length > 1 ? (match.indices?.[1] ?? [-1, -1]) : [match.index, match.index + match[0].length];
    const answer = start < 0 ? false : check ? check(text.slice(start, end)) : true;
    if (!answer) continue;
    const [from, to] = answer === true ? [0, end - start] : answer;
    result += text.slice(done, start + from) + FILTERED;
    done = start + to;
  }
  return done === 0 ? text : result + text.slice(done);
}

const CREDENTIAL_FORMATS = policy.credential_formats.map((row) => new RegExp(row.pattern, "g"));
// Where a key gives its value (`key=`, `"key": `, `'key' => `, SQL's `key = ` and
// `key IN (`, XML's `<key>`, `--key value`), and the value: quoted, an HTTP auth scheme
// with its credentials (to the end of the line for the schemes that take parameters),
// a word, or a list in parentheses (a word or a list may hold `%(name)s` placeholders).
const KEY_MARK = /(?:=>?|[:>])[ \t]*|[ \t](?:IN|in)[ \t]*(?=\()|(?<![\w-])(--[A-Za-z][\w-]*)[ \t]+(?=[^\s-])/g;
const WORD = `[^\\s&,;"'<>{}[\\]()]`;
const SCHEMES = "[Bb]earer|[Bb]asic|Token|Bot|SSWS|ApiKey|Negotiate|NTLM|DPoP";
const VALUE = new RegExp(
  `"([^"\\n]*)"|'([^'\\n]*)'|((?:Digest|OAuth|AWS4-HMAC-SHA256)[ \\t][^\\n]*|(?:(?:${SCHEMES})[ \\t]+)?${WORD}+(?:(?<=%)\\(\\w+\\)${WORD}*)*)|\\(([^()\\n]*(?:(?<=%)\\(\\w+\\)[^()\\n]*)*)\\)`,
  "dy",
);
// An INSERT's columns and its rows of values (quoted values may hold parentheses).
const SQL_ROW = String.raw`\(((?:'(?:[^']|'')*'|%\(\w+\)s|[^()'])*)\)`;
const SQL_INSERT = new RegExp(
  String.raw`\bINSERT\s+INTO\s+[\w."\x60]+\s*\(([^()]*)\)\s*VALUES\s*(${SQL_ROW}(?:\s*,\s*${SQL_ROW})*)`,
  "gi",
);

/** The key-like word ending before `position`: "password" in '{"password": '. */
function keyBefore(text: string, position: number): string {
  const words = text
    .slice(Math.max(0, position - 64), position)
    .replace(/[ \t"']+$/, "")
    .split(/\s+/);
  return words[words.length - 1].split(/[^\w.-]+/).pop() ?? "";
}

function scrubKeyedValues(text: string, mode: PiiMode): string {
  let result = "";
  let done = 0;
  for (const mark of text.matchAll(KEY_MARK)) {
    const key = mark[1] ?? keyBefore(text, mark.index);
    VALUE.lastIndex = mark.index + mark[0].length;
    const value = VALUE.exec(text);
    if (mark.index < done || !value || !hides(key, value[0], mode)) continue;
    const group = [1, 2, 3, 4].find((index) => value[index] !== undefined) ?? 0;
    const [start, end] = value.indices?.[group] ?? [value.index, value.index + value[0].length];
    result += text.slice(done, start) + FILTERED;
    done = end;
  }
  return done === 0 ? text : result + text.slice(done);
}

/** Replace the values an INSERT puts in sensitive columns, in each of its rows. */
function scrubSqlInsert(text: string, mode: PiiMode): string {
  return text.replace(SQL_INSERT, (whole, columnList: string, rows: string) => {
    const columns = columnList.split(",").map((column) => column.trim().replace(/^["`]|["`]$/g, ""));
    const scrubbedRows = rows.replace(new RegExp(SQL_ROW, "g"), (row, valueList: string) => {
      const values = valueList.match(/'(?:[^']|'')*'|[^,\s][^,]*/g) ?? [];
      if (values.length !== columns.length) return row;
      const kept = values.map((value, i) =>
        hides(columns[i], value.replace(/^'|'$/g, ""), mode)
          ? value.startsWith("'")
            ? `'${FILTERED}'`
            : FILTERED
          : value.trim(),
      );
      return `(${kept.join(", ")})`;
    });
    return whole.slice(0, whole.length - rows.length) + scrubbedRows;
  });
}

interface Detector {
  name: string;
  modes: readonly string[];
  scrub: (text: string, mode: PiiMode) => string;
}

const CODE: Record<string, (text: string, mode: PiiMode) => string> = {
  credential_format: (text) => CREDENTIAL_FORMATS.reduce((t, pattern) => t.replace(pattern, FILTERED), text),
  keyed_value: scrubKeyedValues,
  sql_insert: scrubSqlInsert,
  // Database and pydantic errors are the backend's: the browser never holds them.
  sql_error: (text) => text,
  validation_error: (text) => text,
};

const DETECTORS: Detector[] = policy.detectors.map((row) => {
  const pattern = row.pattern === null ? null : new RegExp(row.pattern, "gd");
  const check = "check" in row && row.check ? CHECKS[row.check] : undefined;
  return {
    name: row.name,
    // The browser always hides client addresses (it never sends default PII).
    modes: "modes" in row && row.modes ? row.modes : ["standard", "strict"],
    scrub: pattern === null ? CODE[row.name] : (text: string) => replaceMatches(text, pattern, check),
  };
});
const IP_ADDRESS = DETECTORS.find((detector) => detector.name === "ip_address")!;

function applies(detector: Detector, mode: PiiMode): boolean {
  return detector.modes.includes(mode) || detector.modes.includes("client_address");
}

function detect(text: string, mode: PiiMode): string {
  return DETECTORS.reduce((t, detector) => (applies(detector, mode) ? detector.scrub(t, mode) : t), text);
}

/** `text` with %XX escapes and "+" (a space in a query) undone, twice encoded too. */
function percentDecoded(text: string): string {
  let decoded = text;
  for (let round = 0; round < 2 && /%[0-9A-Fa-f]{2}/.test(decoded); round += 1) {
    try {
      decoded = decodeURIComponent(round === 0 ? decoded.replace(/\+/g, " ") : decoded);
    } catch {
      break; // "50% off" is not encoded.
    }
  }
  return decoded;
}

/** `text` with the backslash escapes of JSON strings undone: "\\u0040" is "@". */
function unescaped(text: string): string {
  return text.replace(
    /\\(?:u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|(["'/]))/g,
    (_, u, x, c) => c ?? String.fromCharCode(parseInt(u ?? x, 16)),
  );
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", commat: "@" };

/** `text` with HTML character references undone: "&#64;" and "&commat;" are "@". */
function htmlDecoded(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z]+));/g, (whole, dec, hex, name) => {
    if (name !== undefined) return ENTITIES[name] ?? whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** `text` with each base64 JSON object ('{"' is "eyJ") decoded; a JWT's parts are not. */
function base64JsonDecoded(text: string): string {
  return text.replace(/(?<![\w.+/-])eyJ[A-Za-z0-9+/_-]{6,}={0,2}(?![\w.+/=-])/g, (token) => {
    try {
      const binary = atob(token.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, ""));
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return token;
    }
  });
}

// Applied in this order before the detectors look again.
const DECODERS = [percentDecoded, unescaped, htmlDecoded, base64JsonDecoded];

/** Replace every secret or personal value the PII mode names in free text. */
export function scrubText(text: string, mode: PiiMode = "standard"): string {
  const decoded = DECODERS.reduce((t, decode) => decode(t), text);
  if (decoded !== text) {
    const scrubbed = detect(decoded, mode);
    if (scrubbed !== decoded) return scrubbed;
  }
  return detect(text, mode);
}

// --- events ---------------------------------------------------------------------------

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

// The objects whose value takes the rule of their name (a list's last item, if a list),
// as {key of the value: keys of the name}: HAR headers, Kubernetes env, AWS tags,
// pydantic's errors ({loc: [..., "password"], input: ...}).
const NAMED_VALUES: Record<string, string[]> = { value: ["name", "key"], Value: ["Name", "Key"], input: ["loc"] };

/** [value's key, name] of an object of NAMED_VALUES. */
function namedValue(record: Record<string, unknown>): [string, string] | [undefined, ""] {
  if (Object.keys(record).length > 6) return [undefined, ""];
  for (const [valueKey, nameKeys] of Object.entries(NAMED_VALUES)) {
    if (!(valueKey in record)) continue;
    const nameKey = nameKeys.find((key) => key in record);
    const value = nameKey === undefined ? undefined : record[nameKey];
    const name = Array.isArray(value) ? value[value.length - 1] : value;
    return typeof name === "string" ? [valueKey, name] : [undefined, ""];
  }
  return [undefined, ""];
}

function scrubValue(value: unknown, mode: PiiMode, seen: WeakSet<object>, client = false): unknown {
  if (typeof value === "string")
    return client ? IP_ADDRESS.scrub(scrubText(value, mode), mode) : scrubText(value, mode);
  if (value === null || typeof value !== "object" || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const option = i > 0 ? value[i - 1] : undefined;
      const hidden = typeof option === "string" && option.startsWith("--") && hides(option, item, mode);
      value[i] = hidden ? FILTERED : scrubValue(item, mode, seen, client);
    });
    return value;
  }
  const record = value as Record<string, unknown>;
  const [valueKey, name] = namedValue(record);
  for (const [key, child] of Object.entries(record)) {
    if (OPAQUE_KEYS.has(key)) continue;
    const ruleKey = key === valueKey ? name : key;
    const rule = keyRule(ruleKey, mode);
    if (rule === "sensitive" || rule === "counter") {
      if (hides(ruleKey, child, mode)) record[key] = FILTERED;
    } else {
      record[key] = scrubValue(child, mode, seen, client || rule === "client_address");
    }
  }
  return record;
}

const USER_FIELDS: Record<PiiMode, string[]> = { standard: ["id", "username", "email"], strict: ["id"] };

/** The user fields each mode lets through (strict: the id, itself scrubbed). */
function scrubUser(user: Record<string, unknown>, mode: PiiMode): Record<string, unknown> {
  const fields = Object.entries(user).filter(
    ([key, value]) => USER_FIELDS[mode].includes(key) && (typeof value === "string" || typeof value === "number"),
  );
  return Object.fromEntries(
    fields.map(([key, value]) => [
      key,
      mode === "strict" && typeof value === "string" ? scrubText(value, mode) : value,
    ]),
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
    const kept = user && typeof user === "object" ? scrubUser(user, mode) : {};
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
