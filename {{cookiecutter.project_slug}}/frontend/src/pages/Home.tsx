import { type FormEvent, useState } from "react";

import { login, me, register, type User } from "../api";
import { useSession } from "../session";

export function Home() {
  const { user, setUser } = useSession();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [creatingAccount, setCreatingAccount] = useState(false);
  const [profile, setProfile] = useState<User | null>(null);
  const [message, setMessage] = useState("");

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setMessage("");
    try {
      if (creatingAccount) {
        await register(username, email, password);
      }
      setUser(await login(username, password));
      setPassword("");
    } catch {
      setMessage(creatingAccount ? "Could not create the account." : "Wrong username or password.");
    }
  }

  if (user) {
    return (
      <section>
        <h1>Welcome</h1>
        <button type="button" data-testid="load-profile" onClick={async () => setProfile(await me())}>
          Load my profile
        </button>
        {profile && <pre data-testid="profile">{JSON.stringify(profile, null, 2)}</pre>}
      </section>
    );
  }

  return (
    <form data-testid="login-form" onSubmit={submit}>
      <h1>{creatingAccount ? "Create an account" : "Log in"}</h1>
      <label>
        Username{" "}
        <input
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
      </label>
      {creatingAccount && (
        <label>
          E-mail{" "}
          <input
            name="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
      )}
      <label>
        Password{" "}
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button type="submit">{creatingAccount ? "Create account" : "Log in"}</button>
      <button type="button" onClick={() => setCreatingAccount(!creatingAccount)}>
        {creatingAccount ? "I have an account" : "Create an account"}
      </button>
      {message && <p role="status">{message}</p>}
    </form>
  );
}
