import * as Sentry from "@sentry/react";
import { useEffect, useMemo, useState } from "react";
import { Link, Outlet } from "react-router";

import { logout, restoreSession, type User } from "./api";
import { PROJECT_NAME } from "./project";
import { SessionContext } from "./session";

function ErrorFallback({ error, resetError }: { error: unknown; resetError: () => void }) {
  return (
    <div role="alert" data-testid="error">
      <p>Something went wrong: {error instanceof Error ? error.message : String(error)}</p>
      <button type="button" onClick={resetError}>
        Try again
      </button>
    </div>
  );
}

export function App() {
  const [user, setUser] = useState<User | null>(null);
  const session = useMemo(() => ({ user, setUser }), [user]);

  useEffect(() => {
    void restoreSession().then(setUser);
  }, []);

  async function signOut(): Promise<void> {
    await logout();
    setUser(null);
  }

  return (
    <SessionContext.Provider value={session}>
      <header>
        <strong>{PROJECT_NAME}</strong>
        <nav>
          <Link to="/">Home</Link> <Link to="/debug">Debug</Link>
        </nav>
        {user && (
          <span data-testid="signed-in">
            Signed in as {user.username}{" "}
            <button type="button" onClick={signOut}>
              Log out
            </button>
          </span>
        )}
      </header>
      <main>
        {/* Render errors below are reported once, with the component stack, and replaced by the fallback. */}
        <Sentry.ErrorBoundary fallback={ErrorFallback}>
          <Outlet />
        </Sentry.ErrorBoundary>
      </main>
    </SessionContext.Provider>
  );
}
