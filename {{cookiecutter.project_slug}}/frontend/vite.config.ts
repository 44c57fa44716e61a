/// <reference types="vitest/config" />
import { execFileSync } from "node:child_process";

import { sentryVitePlugin } from "@sentry/vite-plugin";
{%- if cookiecutter.frontend == "vue" %}
import vue from "@vitejs/plugin-vue";
{%- else %}
import react from "@vitejs/plugin-react";
{%- endif %}
import { defineConfig, loadEnv, type PluginOption } from "vite";

import packageJson from "./package.json" with { type: "json" };
// With its extension, as Node resolves it when Vite loads this file natively
// (`configLoader: "native"`, Vite's planned default).
import { checkRelease, readConfig } from "./src/sentry/config.ts";

const PROJECT_SLUG = "{{ cookiecutter.project_slug }}";
// Paths the dev server and `vite preview` pass on to the backend (same origin).
const API_PATHS = ["/api"{% if cookiecutter.framework == "starlette-graphql" %}, "/graphql"{% endif %}];

/**
 * Same rule as the backend: SENTRY_RELEASE, else <slug>@<version>+<git sha>, else APP_VERSION, else
 * <slug>@<version>. A name Sentry refuses stops the build naming the variable it came from.
 */
function release(env: Record<string, string>): string {
  for (const name of ["VITE_SENTRY_RELEASE", "SENTRY_RELEASE"]) {
    if (env[name]) return checkRelease(env[name], name);
  }
  const base = `${PROJECT_SLUG}@${packageJson.version}`;
  try {
    const sha = execFileSync("git", ["rev-parse", "--short=7", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] });
    return `${base}+${sha.toString().trim()}`;
  } catch {
    return env.APP_VERSION ? checkRelease(env.APP_VERSION, "APP_VERSION") : base;
  }
}

export default defineConfig(({ mode }) => {
  // One .env for the whole project: the frontend reads the one beside docker-compose.
  const env = loadEnv(mode, "..", ["VITE_", "SENTRY_", "API_", "APP_VERSION"]);
  const releaseName = release(env);
  // A bad VITE_SENTRY_* value stops the build here, naming the variable.
  readConfig({ ...env, VITE_SENTRY_RELEASE: releaseName });
  const uploadSourceMaps = Boolean(env.SENTRY_AUTH_TOKEN);
  const apiTarget = env.API_PROXY_TARGET || "http://127.0.0.1:8000";

  const plugins: PluginOption[] = [{% if cookiecutter.frontend == "vue" %}vue(){% else %}react(){% endif %}];
  if (uploadSourceMaps) {
    // Source maps go to Sentry, then are deleted: they are never served.
    plugins.push(
      sentryVitePlugin({
        authToken: env.SENTRY_AUTH_TOKEN,
        org: env.SENTRY_ORG,
        project: env.SENTRY_FRONTEND_PROJECT,
        release: { name: releaseName },
        sourcemaps: { filesToDeleteAfterUpload: ["./dist/**/*.map"] },
        telemetry: false,
      }),
    );
  }

  const proxy = Object.fromEntries(API_PATHS.map((path) => [path, { target: apiTarget, changeOrigin: true }]));
  return {
    envDir: "..",
    plugins,
    define: { "import.meta.env.VITE_SENTRY_RELEASE": JSON.stringify(releaseName) },
    // The SDK with replay is about 250 kB of the bundle; the default 500 kB limit would warn on every build.
    build: { sourcemap: uploadSourceMaps ? "hidden" : false, chunkSizeWarningLimit: 1000 },
    // The scrubbing policy is shared with the backend: src/sentry/scrubber.ts imports it from there.
    server: { proxy, fs: { allow: [".", `../${PROJECT_SLUG}/core/scrubbing_policy.json`] } },
    preview: { proxy },
    test: { environment: "happy-dom" },
  };
});
