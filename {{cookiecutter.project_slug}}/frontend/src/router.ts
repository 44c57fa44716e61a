import { createRouter, createWebHistory } from "vue-router";

import DebugView from "./views/DebugView.vue";
import HomeView from "./views/HomeView.vue";

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/", name: "home", component: HomeView },
    { path: "/debug", name: "debug", component: DebugView },
  ],
});
