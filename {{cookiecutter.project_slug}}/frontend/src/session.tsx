import { createContext, useContext } from "react";

import type { User } from "./api";

export interface Session {
  user: User | null;
  setUser: (user: User | null) => void;
}

export const SessionContext = createContext<Session>({ user: null, setUser: () => undefined });

/** The signed-in user, shared by the pages. */
export function useSession(): Session {
  return useContext(SessionContext);
}
