import { useState } from "react";

import { triggerBackendError } from "../api";

// Throws while rendering, so the error boundary around the page catches it.
function Explode({ email }: { email: string }): never {
  throw new Error(`Payment failed for ${email || "a guest"}`);
}

export function Debug() {
  // Typed by the user; the error mentions it, and the scrubber removes it.
  const [receiptEmail, setReceiptEmail] = useState("");
  const [exploding, setExploding] = useState(false);

  return (
    <section>
      <h1>See errors reach Sentry</h1>
      <label>
        E-mail for the receipt{" "}
        <input
          name="receipt-email"
          type="email"
          autoComplete="email"
          value={receiptEmail}
          onChange={(e) => setReceiptEmail(e.target.value)}
        />
      </label>
      <button type="button" data-testid="throw" onClick={() => setExploding(true)}>
        Throw an error
      </button>
      {/* A rejected promise in a handler is unhandled: the SDK's global handler reports it. */}
      <button type="button" data-testid="failing-api" onClick={() => void triggerBackendError()}>
        Call a failing API
      </button>
      {exploding && <Explode email={receiptEmail} />}
    </section>
  );
}
