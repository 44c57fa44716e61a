/**
 * The backend's API, same origin (the dev server and the production web server
 * proxy it), so requests carry the browser's trace to the backend.
 */
import { forgetUser, identifyUser } from "./sentry/user";

export interface User {
  id: number;
  username: string;
  email: string;
}

/** A request the backend refused or failed; captured by Sentry when unhandled. */
export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "{{ cookiecutter.project_slug }}.access_token";

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new ApiError(response.status, `${method} ${path} failed with ${response.status}`);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}
{%- if cookiecutter.framework == "starlette-graphql" %}

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await request<GraphQLResponse<T>>("POST", "/graphql", { query, variables });
  if (result.errors?.length || !result.data) {
    throw new ApiError(200, result.errors?.[0]?.message ?? "GraphQL request failed");
  }
  return result.data;
}

const USER_FIELDS = "id username email";

export async function register(username: string, email: string, password: string): Promise<User> {
  const data = await graphql<{ register: User }>(
    `mutation Register($username: String!, $email: String!, $password: String!) {
      register(username: $username, email: $email, password: $password) { ${USER_FIELDS} }
    }`,
    { username, email, password },
  );
  return data.register;
}

export async function login(username: string, password: string): Promise<User> {
  const data = await graphql<{ login: { accessToken: string } }>(
    `
      mutation Login($username: String!, $password: String!) {
        login(username: $username, password: $password) {
          accessToken
        }
      }
    `,
    { username, password },
  );
  sessionStorage.setItem(TOKEN_KEY, data.login.accessToken);
  const user = await me();
  identifyUser(user);
  return user;
}

export async function logout(): Promise<void> {
  try {
    await graphql<{ logout: boolean }>("mutation Logout { logout }");
  } finally {
    sessionStorage.removeItem(TOKEN_KEY);
    forgetUser();
  }
}

export async function me(): Promise<User> {
  const data = await graphql<{ me: User }>(`query Me { me { ${USER_FIELDS} } }`);
  return data.me;
}
{%- else %}

export function register(username: string, email: string, password: string): Promise<User> {
  return request<User>("POST", "/api/v1/auth/register", { username, email, password });
}

export async function login(username: string, password: string): Promise<User> {
  const { access_token } = await request<{ access_token: string }>("POST", "/api/v1/auth/login", {
    username,
    password,
  });
  sessionStorage.setItem(TOKEN_KEY, access_token);
  const user = await me();
  identifyUser(user);
  return user;
}

export async function logout(): Promise<void> {
  try {
    await request<void>("POST", "/api/v1/auth/logout");
  } finally {
    sessionStorage.removeItem(TOKEN_KEY);
    forgetUser();
  }
}

export function me(): Promise<User> {
  return request<User>("GET", "/api/v1/auth/me");
}
{%- endif %}

/** The session left by an earlier visit, if its token still works. */
export async function restoreSession(): Promise<User | null> {
  if (!token()) return null;
  try {
    const user = await me();
    identifyUser(user);
    return user;
  } catch {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
}

/** Ask the backend to fail on purpose (POST /api/v1/test/error; not in production). */
export function triggerBackendError(): Promise<void> {
  return request<void>("POST", "/api/v1/test/error", { message: "Test error from the browser" });
}
