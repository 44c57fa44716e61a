// Plays one user's visit in headless Chromium and waits until Sentry has sent it.
//
//   node drive.mjs '{"baseUrl": ..., "username": ..., "password": ..., "email": ..., "dsnOrigin": ...}'
//
// Logs in, loads the profile, goes to Debug (a client-side navigation), types an
// e-mail address, calls the failing API, then throws in the page. Prints a JSON
// summary on stdout; exits non-zero when a step fails.
import { chromium } from "playwright-core";

const plan = JSON.parse(process.argv[2]);
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const STEP_TIMEOUT = 20_000;
// Sentry sends in the background: wait until its requests have been quiet this long
// (longer than replay's 5 s flush delay after an error).
const QUIET_MS = 7_000;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const summary = { consoleErrors: [], pageErrors: [], sentryRequests: 0, steps: [] };
let lastSentryActivity = Date.now();
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on("console", (message) => {
    if (message.type() === "error") summary.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => summary.pageErrors.push(String(error)));
  for (const event of ["request", "requestfinished", "requestfailed"]) {
    page.on(event, (request) => {
      if (request.url().startsWith(plan.dsnOrigin)) {
        lastSentryActivity = Date.now();
        if (event === "requestfinished") summary.sentryRequests += 1;
      }
    });
  }
  const step = (name) => summary.steps.push(name);

  await page.goto(plan.baseUrl);
  step("opened");
  await page.fill("input[name=username]", plan.username);
  await page.fill("input[name=password]", plan.password);
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=signed-in]");
  step("logged in");
  await page.click("[data-testid=load-profile]");
  await page.waitForSelector("[data-testid=profile]");
  step("loaded profile");
  await page.click("a[href='/debug']");
  await page.waitForSelector("input[name=receipt-email]");
  step("navigated to /debug");
  await page.fill("input[name=receipt-email]", plan.email);
  const failing = page.waitForResponse((response) => response.url().endsWith("/api/v1/test/error"));
  await page.click("[data-testid=failing-api]");
  summary.failingApiStatus = (await failing).status();
  step("called the failing API");
  await page.click("[data-testid=throw]");
  await page.waitForSelector("[data-testid=error]");
  step("threw in the page");

  const deadline = Date.now() + STEP_TIMEOUT;
  while (Date.now() < deadline && (summary.sentryRequests === 0 || Date.now() - lastSentryActivity < QUIET_MS)) {
    await page.waitForTimeout(200);
  }
  step("sentry quiet");
} catch (error) {
  summary.failure = String(error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(summary));
process.exit(summary.failure ? 1 : 0);
