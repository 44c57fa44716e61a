/** A Sentry transport that keeps what the SDK would send: no network in tests. */
import type { BrowserOptions } from "@sentry/{{ cookiecutter.frontend }}";

type Transport = ReturnType<NonNullable<BrowserOptions["transport"]>>;

export type SentItem = [{ type: string }, Record<string, any>];

export function capturingTransport(): { items: SentItem[]; transport: () => Transport } {
  const items: SentItem[] = [];
  const transport = (): Transport => ({
    send: async (envelope) => {
      items.push(...(envelope[1] as unknown as SentItem[]));
      return {};
    },
    flush: async () => true,
  });
  return { items, transport };
}

export function events(items: SentItem[]): Record<string, any>[] {
  return items.filter(([header]) => header.type === "event").map(([, payload]) => payload);
}
