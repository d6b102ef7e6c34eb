// The server's answer to `lambda.invoke` / `lambda.invokeRemote`, and how the result view
// shows it: like the console's Test tab (status, response, log, REPORT line, request id).
// Pure: no vscode import, so it is unit-tested with node's test runner.

/** The REPORT figures of one invoke, as CloudWatch prints them. */
export interface InvokeReport {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
}

/** One invoke's outcome, as the server returns it. */
export interface InvokeResult {
  /** "Success", "FunctionError", "Timeout", … */
  status: string;
  requestId: string;
  /** The response body exactly as the function returned it (JSON text, usually). */
  payload: string;
  /** The function's log: START, its output, END, REPORT. */
  log: string;
  report?: InvokeReport;
}

/** What was invoked, for the view's title and its "Invoke again" button. */
export interface InvokeTarget {
  /** The function's name (its folder or `name` in lambda.toml). */
  functionName: string;
  /** The event: a file path, a template name, or undefined for the default event. */
  event?: string;
  /** "local" or "remote". */
  where: "local" | "remote";
}

/** The server answered something that is not an invoke result. */
export class InvokeResultError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Check the server's answer and give it a type; throws InvokeResultError naming what is wrong. */
export function parseInvokeResult(value: unknown): InvokeResult {
  if (!isRecord(value)) {
    throw new InvokeResultError(
      `The server's invoke answer is not an object (got ${JSON.stringify(value)}).`,
    );
  }
  if (typeof value.status !== "string") {
    throw new InvokeResultError("The server's invoke answer has no `status`.");
  }
  const result: InvokeResult = {
    status: value.status,
    requestId: typeof value.requestId === "string" ? value.requestId : "",
    payload:
      typeof value.payload === "string"
        ? value.payload
        : value.payload === undefined || value.payload === null
          ? ""
          : JSON.stringify(value.payload),
    log: typeof value.log === "string" ? value.log : "",
  };
  if (isRecord(value.report)) {
    const r = value.report;
    result.report = {
      durationMs: optionalNumber(r.durationMs) ?? 0,
      billedDurationMs: optionalNumber(r.billedDurationMs) ?? 0,
      memorySizeMb: optionalNumber(r.memorySizeMb) ?? 0,
      maxMemoryUsedMb: optionalNumber(r.maxMemoryUsedMb) ?? 0,
      initDurationMs: optionalNumber(r.initDurationMs),
    };
  }
  return result;
}

/** True when the function ran and returned normally. */
export function succeeded(result: InvokeResult): boolean {
  return result.status === "Success";
}

/** The console's REPORT line: `REPORT RequestId: … Duration: 1.23 ms Billed Duration: 2 ms …`. */
export function formatReport(result: InvokeResult): string | undefined {
  const report = result.report;
  if (!report) return undefined;
  const parts = [
    `REPORT RequestId: ${result.requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.round(report.billedDurationMs)} ms`,
    `Memory Size: ${Math.round(report.memorySizeMb)} MB`,
    `Max Memory Used: ${Math.round(report.maxMemoryUsedMb)} MB`,
  ];
  if (report.initDurationMs !== undefined) {
    parts.push(`Init Duration: ${report.initDurationMs.toFixed(2)} ms`);
  }
  return parts.join("\t");
}

/** The response as the console shows it: JSON pretty-printed, anything else as it came. */
export function prettyPayload(payload: string): string {
  if (payload.trim() === "") return "null";
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

/** A one-line summary for a notification or the output channel. */
export function summarize(target: InvokeTarget, result: InvokeResult): string {
  const where = target.where === "remote" ? "remotely" : "locally";
  const duration = result.report ? ` in ${result.report.durationMs.toFixed(2)} ms` : "";
  return succeeded(result)
    ? `${target.functionName} ran ${where}${duration}: Success`
    : `${target.functionName} ran ${where}${duration}: ${result.status}`;
}

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** What the page needs from the webview host. */
export interface PageContext {
  /** The webview's `cspSource`. */
  cspSource: string;
  /** A fresh random nonce for the page's one script. */
  nonce: string;
}

/** The result view's whole HTML page. The "Invoke again" button posts `{ type: "invokeAgain" }`. */
export function renderResultPage(
  target: InvokeTarget,
  result: InvokeResult,
  page: PageContext,
): string {
  const ok = succeeded(result);
  const report = formatReport(result);
  const event = target.event ? escapeHtml(target.event) : "default event";
  const where = target.where === "remote" ? "Remote invoke" : "Local invoke";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${page.cspSource} 'unsafe-inline'; script-src 'nonce-${page.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(target.functionName)}: ${escapeHtml(result.status)}</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 16px; }
  h1 { font-size: 1.3em; margin-bottom: 4px; }
  h2 { font-size: 1.05em; margin: 18px 0 6px; }
  .status { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: 600; }
  .status.ok { background: var(--vscode-testing-iconPassed, #388a34); color: #fff; }
  .status.failed { background: var(--vscode-testing-iconFailed, #c72e0f); color: #fff; }
  .meta { color: var(--vscode-descriptionForeground); margin: 6px 0; }
  pre { background: var(--vscode-textCodeBlock-background); padding: 8px 10px; overflow-x: auto;
        white-space: pre-wrap; word-break: break-word; font-family: var(--vscode-editor-font-family); }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground);
           border: none; padding: 6px 14px; cursor: pointer; margin-top: 8px; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button:disabled { opacity: 0.6; cursor: default; }
</style>
</head>
<body>
<h1>${escapeHtml(target.functionName)}</h1>
<div class="meta">${where} with ${event}</div>
<div><span class="status ${ok ? "ok" : "failed"}" id="status">${escapeHtml(result.status)}</span></div>
<button id="invoke-again">Invoke again</button>
<h2>Response</h2>
<pre id="response">${escapeHtml(prettyPayload(result.payload))}</pre>
<h2>Summary</h2>
<pre id="report">${report ? escapeHtml(report) : "No REPORT (the function did not finish)."}</pre>
<div class="meta">Request ID: <code id="request-id">${escapeHtml(result.requestId || "none")}</code></div>
<h2>Function logs</h2>
<pre id="log">${escapeHtml(result.log || "(no output)")}</pre>
<script nonce="${page.nonce}">
  const vscode = acquireVsCodeApi();
  const button = document.getElementById("invoke-again");
  button.addEventListener("click", () => {
    button.disabled = true;
    button.textContent = "Invoking…";
    vscode.postMessage({ type: "invokeAgain" });
  });
</script>
</body>
</html>
`;
}

/** The page shown while an invoke runs, or when it could not run at all. */
export function renderMessagePage(title: string, message: string, page: PageContext): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${page.cspSource} 'unsafe-inline'; script-src 'nonce-${page.nonce}';">
<title>${escapeHtml(title)}</title>
<style>body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px; }
pre { white-space: pre-wrap; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 6px 14px; cursor: pointer; }</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<pre id="message">${escapeHtml(message)}</pre>
<button id="invoke-again">Invoke again</button>
<script nonce="${page.nonce}">
  const vscode = acquireVsCodeApi();
  document.getElementById("invoke-again").addEventListener("click", () => vscode.postMessage({ type: "invokeAgain" }));
</script>
</body>
</html>
`;
}
