import { createApp } from "vue";

import App from "./App.vue";
import { router } from "./router";
import { initSentry } from "./sentry/vue";
import { lastError } from "./state";

const app = createApp(App);
// Shows the error in the page; Sentry's handler, installed by initSentry, reports
// it first and then calls this one.
app.config.errorHandler = (error) => {
  lastError.value = error instanceof Error ? error.message : String(error);
};
initSentry(app, router);
app.use(router);
app.mount("#app");
