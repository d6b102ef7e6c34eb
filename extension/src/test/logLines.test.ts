import { strict as assert } from "node:assert";
import { test } from "node:test";
import { formatLogLines } from "../logLines";
import type { LogLine } from "../protocol";

function line(message: string, requestId: string | null, extra: Partial<LogLine> = {}): LogLine {
  return {
    timestampMs: 0,
    time: "2026-05-01T12:00:01.250Z",
    stream: "2026/05/01/[$LATEST]abc",
    requestId,
    message,
    error: false,
    ...extra,
  };
}

test("a header opens each invocation, and only when it changes", () => {
  const first = formatLogLines([line("START RequestId: r1", "r1"), line("hello", "r1")], undefined);
  assert.equal(
    first.text,
    "\n── 2026-05-01 12:00:01 UTC · request r1 · 2026/05/01/[$LATEST]abc\n" +
      "  12:00:01.250  START RequestId: r1\n" +
      "  12:00:01.250  hello\n",
  );
  // The next poll continues the same invocation: no second header.
  const next = formatLogLines([line("REPORT RequestId: r1", "r1")], first.last);
  assert.equal(next.text, "  12:00:01.250  REPORT RequestId: r1\n");
  const other = formatLogLines([line("INIT_START", null)], next.last);
  assert.match(other.text, /outside an invocation/);
});

test("errors are marked and continuation lines indented under the message", () => {
  const { text } = formatLogLines([line("[ERROR] boom\nTraceback", "r2", { error: true })], undefined);
  assert.match(text, /\n! 12:00:01\.250  \[ERROR\] boom\n {16}Traceback\n$/);
});
