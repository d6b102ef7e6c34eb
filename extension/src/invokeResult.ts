// How the result view shows the server's answer to `lambda.invoke` / `lambda.invokeRemote`
// (typed in protocol.ts): like the console's Test tab (status, response, log, REPORT line,
// request id). Pure: no vscode import, so it is unit-tested with node's test runner.

import type { InvokeResult } from "./protocol";

export type { InvokeResult };

/** What was invoked, for the view's title and its "Invoke again" button. */
export interface InvokeTarget {
  /** The function's name (its folder or `name` in lambda.toml). */
  functionName: string;
  /** The event: a file path, a template name, or undefined for the default event. */
  event?: string;
  /** "local" or "remote". */
  where: "local" | "remote";
}

/** True when the function ran and returned normally. */
export function succeeded(result: InvokeResult): boolean {
  return result.status === "Success";
}

/** The REPORT line as CloudWatch prints it (the server writes it). */
export function formatReport(result: InvokeResult): string | undefined {
  return result.report?.line;
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
  const error = result.errorType ? ` (${result.errorType})` : "";
  return succeeded(result)
    ? `${target.functionName} ran ${where}${duration}: Success`
    : `${target.functionName} ran ${where}${duration}: ${result.status}${error}`;
}

/**
 * What the log section says above the log when the result carries only its end (the server
 * sends the last 4 KB, as the console's Test tab shows), or undefined when it is whole.
 */
export function logCutNote(result: InvokeResult): string | undefined {
  const shown = new TextEncoder().encode(result.log).length;
  if (result.logBytes <= shown) return undefined;
  const whole = result.logBytes >= 1024 * 1024
    ? `${(result.logBytes / (1024 * 1024)).toFixed(1)} MB`
    : `${(result.logBytes / 1024).toFixed(1)} KB`;
  return `The last 4 KB of ${whole} of log` + (result.logFile ? "; the whole log is in a file." : ".");
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

/**
 * The result view's whole HTML page. The "Invoke again" button posts `{ type: "invokeAgain" }`;
 * a remote result's "Show logs" button posts `{ type: "showLogs" }`; "Open full log" (when the
 * server wrote the log to a file) `{ type: "openLog" }`.
 */
export function renderResultPage(
  target: InvokeTarget,
  result: InvokeResult,
  page: PageContext,
): string {
  const ok = succeeded(result);
  const report = formatReport(result);
  const event = target.event ? escapeHtml(target.event) : "default event";
  const where = target.where === "remote" ? "Remote invoke" : "Local invoke";
  const cut = logCutNote(result);
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
  .notes { border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700); margin: 10px 0;
           padding: 4px 10px; background: var(--vscode-textBlockQuote-background); }
  .notes p { margin: 4px 0; }
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
${renderNotes(result.notes)}
<button id="invoke-again">Invoke again</button>
${target.where === "remote" ? `<button id="show-logs">Show logs in CloudWatch</button>` : ""}
<h2>Response</h2>
<pre id="response">${escapeHtml(prettyPayload(result.payload))}</pre>
<h2>Summary</h2>
<pre id="report">${report ? escapeHtml(report) : "No REPORT (the function did not finish)."}</pre>
<div class="meta">Request ID: <code id="request-id">${escapeHtml(result.requestId || "none")}</code></div>
<h2>Function logs</h2>
${cut ? `<div class="meta" id="log-cut">${escapeHtml(cut)}</div>` : ""}
${result.logFile ? `<button id="open-log" title="${escapeHtml(result.logFile)}">Open full log</button>` : ""}
<pre id="log">${escapeHtml(result.log || "(no output)")}</pre>
<script nonce="${page.nonce}">
  const vscode = acquireVsCodeApi();
  const button = document.getElementById("invoke-again");
  button.addEventListener("click", () => {
    button.disabled = true;
    button.textContent = "Invoking…";
    vscode.postMessage({ type: "invokeAgain" });
  });
  document.getElementById("show-logs")?.addEventListener("click", () => vscode.postMessage({ type: "showLogs" }));
  document.getElementById("open-log")?.addEventListener("click", () => vscode.postMessage({ type: "openLog" }));
</script>
</body>
</html>
`;
}

/** The notes of a new local environment (Python version stand-in, architecture), if any. */
export function renderNotes(notes: readonly string[] | undefined): string {
  if (!notes || notes.length === 0) return "";
  const items = notes.map((note) => `<p>${escapeHtml(note)}</p>`).join("");
  return `<div class="notes" id="notes">${items}</div>`;
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
