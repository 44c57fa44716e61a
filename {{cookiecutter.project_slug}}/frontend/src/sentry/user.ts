/** The signed-in user on every browser event: set after login, cleared on logout. */
import { setUser } from "@sentry/{{ cookiecutter.frontend }}";

import { readConfig } from "./config";
import { sentryUser, type SignedInUser } from "./options";

const { piiMode } = readConfig(import.meta.env);

export function identifyUser(user: SignedInUser): void {
  setUser(sentryUser(user, piiMode));
}

export function forgetUser(): void {
  setUser(null);
}
