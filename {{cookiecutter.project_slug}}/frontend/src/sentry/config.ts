/**
 * The browser's Sentry settings, read once from Vite's env (VITE_*) and validated:
 * a bad value stops the build or the dev server with one message naming the variable.
 */
import type { PiiMode } from "./scrubber";

export type Environment = "development" | "staging" | "production";

export interface SentryConfig {
  dsn: string | undefined;
  environment: string;
  release: string | undefined;
  tracesSampleRate: number;
  piiMode: PiiMode;
  extraSensitiveKeys: string[];
}

export type Env = Record<string, string | boolean | undefined>;

export const DEFAULT_ENVIRONMENT: Environment = "{{ cookiecutter.default_environment }}";
// The template's answers, as for the backend's SENTRY_TRACES_SAMPLE_RATE presets.
export const TRACES_SAMPLE_RATES: Record<Environment, number> = {
  development: {{ cookiecutter.traces_sample_rate_development | float }},
  staging: {{ cookiecutter.traces_sample_rate_staging | float }},
  production: {{ cookiecutter.traces_sample_rate_production | float }},
};
const PII_MODES: readonly PiiMode[] = ["standard", "strict"];
const DEFAULT_PII_MODE: PiiMode = "{{ cookiecutter.pii_mode }}";

export class ConfigError extends Error {
  override name = "ConfigError";
}

function text(env: Env, name: string): string | undefined {
  const value = env[name];
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

function rate(env: Env, name: string, fallback: number): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new ConfigError(`${name} must be a number between 0 and 1, got "${value}"`);
  }
  return parsed;
}

function dsn(env: Env, name: string): string | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a Sentry DSN (https://<key>@<host>/<project>), got an invalid URL`);
  }
  if (!["http:", "https:"].includes(url.protocol) || !url.username || url.pathname.length < 2) {
    throw new ConfigError(`${name} must be a Sentry DSN (https://<key>@<host>/<project>)`);
  }
  return value;
}

// Sentry's rules for release names, as the backend checks SENTRY_RELEASE and APP_VERSION.
const MAX_RELEASE_LENGTH = 200;

/** `value` when Sentry accepts it as a release name; else a ConfigError naming `name`. */
export function checkRelease(value: string, name: string): string {
  if (/[\n\r\t/\\]/.test(value)) {
    throw new ConfigError(`${name} must not contain newlines, tabs, '/' or '\\', got ${JSON.stringify(value)}`);
  }
  if (["", ".", ".."].includes(value.trim())) {
    throw new ConfigError(`${name} must not be blank, '.' or '..'`);
  }
  if (value.length > MAX_RELEASE_LENGTH) {
    throw new ConfigError(`${name} must not be longer than ${MAX_RELEASE_LENGTH} characters`);
  }
  return value;
}

function release(env: Env, name: string): string | undefined {
  const value = text(env, name);
  return value === undefined ? undefined : checkRelease(value, name);
}

function piiMode(env: Env, name: string): PiiMode {
  const value = text(env, name) ?? DEFAULT_PII_MODE;
  if (!PII_MODES.includes(value as PiiMode)) {
    throw new ConfigError(`${name} must be one of ${PII_MODES.join(", ")}, got "${value}"`);
  }
  return value as PiiMode;
}

export function readConfig(env: Env): SentryConfig {
  const environment = text(env, "VITE_SENTRY_ENVIRONMENT") ?? DEFAULT_ENVIRONMENT;
  const preset = TRACES_SAMPLE_RATES[environment as Environment] ?? TRACES_SAMPLE_RATES.production;
  return {
    dsn: dsn(env, "VITE_SENTRY_DSN"),
    environment,
    release: release(env, "VITE_SENTRY_RELEASE"),
    tracesSampleRate: rate(env, "VITE_SENTRY_TRACES_SAMPLE_RATE", preset),
    piiMode: piiMode(env, "VITE_SENTRY_PII_MODE"),
    extraSensitiveKeys: (text(env, "VITE_SENTRY_EXTRA_SENSITIVE_KEYS") ?? "")
      .split(",")
      .map((key) => key.trim())
      .filter((key) => key !== ""),
  };
}
