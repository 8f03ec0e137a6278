/** The command context (cli/context.ts): services opened lazily, once per context. */
import assert from "node:assert/strict";
import { createContext } from "../cli/context.ts";
import { loadConfig } from "../lib/config.ts";

Deno.test("ctx.queue() is one queue per context however often it is asked; a queue with its own log is new", async () => {
  const context = createContext(
    loadConfig({
      REDIS_URL: "redis://127.0.0.1:6379",
      DNSAPI_KEY_PREFIX: `test:${crypto.randomUUID()}:`,
    }),
    { stdout: () => {}, stderr: () => {} },
  );
  try {
    const first = context.queue();
    const listeners = context.redis().listenerCount("end");
    for (let i = 0; i < 20; i++) assert.equal(context.queue(), first);
    assert.equal(context.redis().listenerCount("end"), listeners, "no listener piles up");
    const logged = context.queue(() => {});
    assert.notEqual(logged, first);
    assert.equal(context.queue(), first);
    await first.stats();
  } finally {
    await context.close();
  }
});
