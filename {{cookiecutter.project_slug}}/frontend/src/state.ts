import { ref } from "vue";

import type { User } from "./api";

/** The signed-in user, shared by the views. */
export const currentUser = ref<User | null>(null);
/** The last error the app handled, shown in the page. */
export const lastError = ref<string | null>(null);
