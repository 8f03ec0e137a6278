import assert from "node:assert/strict";
import { backoffDelayMs, classifyError, nextRetry } from "../lib/route53.ts";

/** An error shaped like the AWS SDK's service exceptions. */
function awsError(name: string, status: number): Error {
  const error = new Error(`${name} happened`);
  error.name = name;
  Object.assign(error, { $metadata: { httpStatusCode: status } });
  return error;
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

Deno.test("classifyError() treats throttling, busy zones, 5xx and network errors as transient", () => {
  for (
    const error of [
      awsError("Throttling", 400),
      awsError("PriorRequestNotComplete", 400),
      awsError("ServiceUnavailable", 503),
      awsError("Unknown", 500),
      awsError("SomethingNew", 502),
      networkError("ECONNRESET"),
      networkError("ECONNREFUSED"),
      new TypeError("fetch failed", { cause: networkError("ECONNRESET") }),
      Object.assign(new Error("socket timed out"), { name: "TimeoutError" }),
    ]
  ) {
    assert.equal(classifyError(error), "transient", `${error.name}: ${error.message}`);
  }
});

Deno.test("classifyError() treats invalid batches, bad input and non-empty zones as permanent", () => {
  for (
    const error of [
      awsError("InvalidChangeBatch", 400),
      awsError("InvalidInput", 400),
      awsError("HostedZoneNotEmpty", 400),
      awsError("NoSuchHostedZone", 404),
      awsError("SomeOtherClientError", 400),
      new Error("a bug"),
      "not even an error",
      null,
    ]
  ) {
    assert.equal(classifyError(error), "permanent", String(error));
  }
});

Deno.test("backoffDelayMs() doubles its ceiling per retry up to the cap, with full jitter", () => {
  const top = () => 0.999999;
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, { baseMs: 100, capMs: 1000 }, top)),
    [99, 199, 399, 799, 999],
  );
  assert.equal(backoffDelayMs(30, { baseMs: 100, capMs: 1000 }, top), 999);
  assert.equal(backoffDelayMs(3, { baseMs: 100 }, () => 0), 0);
  assert.equal(backoffDelayMs(3, { baseMs: 100 }, () => 0.5), 200);
});

Deno.test("nextRetry() retries transient errors until the attempts are spent", () => {
  const throttled = awsError("Throttling", 400);
  const half = () => 0.5;
  assert.deepEqual(nextRetry(1, throttled, { maxAttempts: 3, baseMs: 100 }, half), {
    retry: true,
    delayMs: 50,
  });
  assert.deepEqual(nextRetry(2, throttled, { maxAttempts: 3, baseMs: 100 }, half), {
    retry: true,
    delayMs: 100,
  });
  assert.deepEqual(nextRetry(3, throttled, { maxAttempts: 3 }), { retry: false });
});

Deno.test("nextRetry() never retries a permanent error", () => {
  assert.deepEqual(nextRetry(1, awsError("InvalidChangeBatch", 400)), { retry: false });
});
