import { wrapCreateBrowserRouter } from "@sentry/react/react-router";
import { createBrowserRouter } from "react-router";

import { App } from "./App";
import { Debug } from "./pages/Debug";
import { Home } from "./pages/Home";

/** The app's routes; Sentry names page-load and navigation transactions after them. */
export function createRouter() {
  return wrapCreateBrowserRouter(createBrowserRouter)([
    {
      path: "/",
      element: <App />,
      children: [
        { index: true, element: <Home /> },
        { path: "debug", element: <Debug /> },
      ],
    },
  ]);
}
