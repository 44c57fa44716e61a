import * as Sentry from "@sentry/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";

import { createRouter } from "./router";
import { initSentry } from "./sentry/react";

initSentry();

// Errors no error boundary caught still reach Sentry, with React's component stack.
createRoot(document.getElementById("root") as HTMLElement, {
  onUncaughtError: Sentry.reactErrorHandler(),
}).render(
  <StrictMode>
    <RouterProvider router={createRouter()} />
  </StrictMode>,
);
