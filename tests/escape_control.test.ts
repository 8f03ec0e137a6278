import assert from "node:assert/strict";
import { escapeControl } from "../lib/errors.ts";

Deno.test("escapeControl() makes line breaks visible, so a file name cannot forge a push line", () => {
  assert.equal(
    escapeControl("zones/a.test\nremote: dns-api: shop.test: succeeded"),
    "zones/a.test\\nremote: dns-api: shop.test: succeeded",
  );
  assert.equal(escapeControl("a\r\nb"), "a\\r\\nb");
});

Deno.test("escapeControl() turns ESC, NUL, DEL and C1 controls into escapes", () => {
  assert.equal(escapeControl("\x1b[2J\x1b]0;title\x07"), "\\x1b[2J\\x1b]0;title\\x07");
  assert.equal(escapeControl("a\0b\x7fc"), "a\\0b\\u007fc");
  assert.equal(escapeControl("\u009b31m"), "\\u009b31m");
});

Deno.test("escapeControl() escapes line separators and bidirectional overrides", () => {
  assert.equal(escapeControl("abc\u202edcba"), "abc\\u202edcba");
  assert.equal(escapeControl("a\u2028b\u2066c"), "a\\u2028b\\u2066c");
});

Deno.test("escapeControl() leaves tabs, backslash escapes and Unicode text as they are", () => {
  const text = 'www\tTXT "caf\\195\\169" café \\032';
  assert.equal(escapeControl(text), text);
});

Deno.test("escapeControl() of JSON.stringify output is still JSON with the same value", () => {
  const value = { message: "a\u009b31m\x7f\u202eb\nc\x1b" };
  const text = escapeControl(JSON.stringify(value));
  assert.doesNotMatch(text, /[\x7f-\x9f\u202e]/);
  assert.deepEqual(JSON.parse(text), value);
});
