import { strict as assert } from "node:assert";
import { test } from "node:test";
import {
  escapeHtml,
  formatReport,
  InvokeResult,
  prettyPayload,
  logCutNote,
  renderResultPage,
  succeeded,
  summarize,
} from "../invokeResult";

const REPORT_LINE =
  "REPORT RequestId: 8f5c1c2e-1b7a-4e0e-9d1c-3c1f8c6f0a11\tDuration: 1.23 ms\tBilled Duration: 2 ms\t" +
  "Memory Size: 128 MB\tMax Memory Used: 41 MB\tInit Duration: 95.50 ms";

const serverAnswer: InvokeResult = {
  function: "hello",
  event: "{}",
  remote: false,
  status: "Success",
  errorType: null,
  functionError: null,
  requestId: "8f5c1c2e-1b7a-4e0e-9d1c-3c1f8c6f0a11",
  payload: '{"statusCode":200,"body":"{\\"message\\": \\"hello world\\"}"}',
  log: "START RequestId: 8f5c… Version: $LATEST\ngreeting world\nEND RequestId: 8f5c…\n",
  logFile: null,
  logBytes: 80,
  coldStart: true,
  report: {
    durationMs: 1.234,
    billedDurationMs: 2,
    memorySizeMb: 128,
    maxMemoryUsedMb: 41,
    initDurationMs: 95.5,
    line: REPORT_LINE,
  },
  executedVersion: null,
  notes: [],
};

test("a successful invoke is a success", () => {
  assert.ok(succeeded(serverAnswer));
});

test("the REPORT line is the server's, as CloudWatch prints it", () => {
  assert.equal(formatReport(serverAnswer), REPORT_LINE);
});

test("no report, no REPORT line", () => {
  assert.equal(formatReport({ ...serverAnswer, report: null }), undefined);
});

test("JSON responses are pretty-printed; anything else is shown as it came", () => {
  assert.equal(prettyPayload('{"a":[1,2]}'), '{\n  "a": [\n    1,\n    2\n  ]\n}');
  assert.equal(prettyPayload("plain text"), "plain text");
  assert.equal(prettyPayload(""), "null");
});

test("a function error is not a success and says so in the summary, with its type", () => {
  const result: InvokeResult = {
    ...serverAnswer,
    status: "FunctionError",
    errorType: "ValueError",
    payload: '{"errorMessage":"boom","errorType":"ValueError"}',
    report: { ...serverAnswer.report!, durationMs: 3 },
  };
  assert.equal(succeeded(result), false);
  assert.equal(
    summarize({ functionName: "prices", where: "local" }, result),
    "prices ran locally in 3.00 ms: FunctionError (ValueError)",
  );
});

test("HTML is escaped", () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
});

test("the result page shows status, response, REPORT, request id and log, all escaped", () => {
  const hostile = { ...serverAnswer, log: "<script>alert(1)</script>\ngreeting world" };
  const html = renderResultPage(
    { functionName: "hello", where: "local", event: "events/named.json" },
    hostile,
    { cspSource: "vscode-webview:", nonce: "NONCE" },
  );
  assert.match(html, /<span class="status ok" id="status">Success<\/span>/);
  assert.match(html, /&quot;statusCode&quot;: 200/);
  assert.match(html, /REPORT RequestId: 8f5c1c2e/);
  assert.match(html, /<code id="request-id">8f5c1c2e-1b7a-4e0e-9d1c-3c1f8c6f0a11<\/code>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /id="invoke-again"/);
  assert.match(html, /script-src 'nonce-NONCE'/);
  // The page's only script is the nonce'd one.
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.match(html, /with events\/named\.json/);
});

test("the notes of a new environment are shown above the response, escaped; none, no box", () => {
  const page = { cspSource: "vscode-webview:", nonce: "NONCE" };
  const target = { functionName: "hello", where: "local" as const };
  const noted = {
    ...serverAnswer,
    notes: [
      "runtime python3.12, running on Python 3.11.7: no 3.12 found — install one with uv python install 3.12",
      "arm64 function running on this x86_64 machine with x86_64 wheels of the same versions (no emulation) <b>",
    ],
  };
  const html = renderResultPage(target, noted, page);
  assert.match(html, /<div class="notes" id="notes"><p>runtime python3\.12, running on Python 3\.11\.7/);
  assert.match(html, /no emulation\) &lt;b&gt;<\/p><\/div>/);
  assert.ok(html.indexOf('id="notes"') < html.indexOf('id="response"'));
  assert.doesNotMatch(renderResultPage(target, serverAnswer, page), /id="notes"/);
});

test("a log cut to its end says so and offers the whole log's file", () => {
  assert.equal(logCutNote(serverAnswer), undefined);
  const cut = { ...serverAnswer, log: "…the end\n", logBytes: 3 * 1024 * 1024, logFile: "/tmp/logs/hello-1.log" };
  assert.equal(logCutNote(cut), "The last 4 KB of 3.0 MB of log; the whole log is in a file.");
  const html = renderResultPage({ functionName: "hello", where: "local" }, cut, {
    cspSource: "vscode-webview:",
    nonce: "NONCE",
  });
  assert.match(html, /id="log-cut">The last 4 KB of 3\.0 MB of log/);
  assert.match(html, /<button id="open-log" title="\/tmp\/logs\/hello-1\.log">Open full log<\/button>/);
  assert.doesNotMatch(renderResultPage({ functionName: "hello", where: "local" }, serverAnswer, {
    cspSource: "x",
    nonce: "N",
  }), /<button id="open-log"/);
});
