// "Lambda: Show Metrics": the console's Monitor tab in a webview. The server reads the
// metrics (`lambda.metrics`); the page (webview/monitor.ts, bundled with Chart.js into
// dist/monitor.js) draws one chart per metric and has a time-range picker. While the view
// is visible it refreshes every minute.

import * as crypto from "crypto";
import * as vscode from "vscode";
import { errorMessage, LambdaServer } from "./server";
import { COMMANDS } from "./protocol";
import type { FunctionTarget } from "./functionTarget";
import { escapeHtml } from "./invokeResult";

/** How often a visible Monitor view reads the metrics again. */
const REFRESH_MS = 60_000;
/** The ranges the picker offers, as `lambda.metrics` takes them. */
export const RANGES = ["1h", "3h", "12h", "1d", "3d", "1w"];

export class MonitorPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private target: FunctionTarget | undefined;
  private name = "";
  private since = "3h";
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by each read, so that a slow answer never overwrites a newer one. */
  private generation = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: LambdaServer,
  ) {}

  /** Open (or retarget) the view on `target`'s metrics. */
  show(target: FunctionTarget, name: string): void {
    this.target = target;
    this.name = name;
    if (!this.panel) {
      const dist = vscode.Uri.joinPath(this.extensionUri, "dist");
      this.panel = vscode.window.createWebviewPanel(
        "lambda.monitor",
        `λ ${name}: Monitor`,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true },
      );
      const script = this.panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, "monitor.js"));
      this.panel.webview.html = page(this.panel.webview.cspSource, script.toString(), this.since);
      this.panel.webview.onDidReceiveMessage((message: { type?: string; since?: string }) => {
        if (message?.type === "range" && message.since && RANGES.includes(message.since)) {
          this.since = message.since;
          void this.refresh();
        } else if (message?.type === "ready" || message?.type === "refresh") {
          void this.refresh();
        }
      });
      this.panel.onDidChangeViewState((change) => {
        if (change.webviewPanel.visible) void this.refresh();
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
      });
      this.timer = setInterval(() => {
        if (this.panel?.visible) void this.refresh();
      }, REFRESH_MS);
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      void this.refresh();
    }
    this.panel.title = `λ ${name}: Monitor`;
  }

  /** Read the metrics again and send them to the page. */
  private async refresh(): Promise<void> {
    const panel = this.panel;
    const target = this.target;
    if (!panel || !target) return;
    const generation = ++this.generation;
    void panel.webview.postMessage({ type: "loading", since: this.since });
    try {
      const result = await this.server.execute(COMMANDS.metrics, {
        uri: target.uri,
        handler: target.handler,
        since: this.since,
      });
      if (generation !== this.generation) return;
      void panel.webview.postMessage({ type: "metrics", result, since: this.since });
    } catch (error) {
      if (generation !== this.generation) return;
      void panel.webview.postMessage({
        type: "error",
        message: `Reading the metrics of ${this.name} failed: ${errorMessage(error)}`,
      });
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

/** The page: the picker, a status line, notes and the chart grid; the script fills them. */
function page(cspSource: string, script: string, since: string): string {
  const nonce = crypto.randomBytes(16).toString("base64");
  const options = RANGES.map(
    (range) => `<option value="${range}"${range === since ? " selected" : ""}>Last ${range}</option>`,
  ).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource} 'unsafe-inline'; script-src ${cspSource} 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Monitor</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 16px; }
  header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  h1 { font-size: 1.3em; margin: 12px 0; }
  select, button { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground);
    border: 1px solid var(--vscode-dropdown-border, transparent); padding: 3px 6px; }
  #status { color: var(--vscode-descriptionForeground); }
  #notes { color: var(--vscode-editorWarning-foreground); margin: 6px 0; }
  #charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 16px; }
  .chart { border: 1px solid var(--vscode-panel-border, #8884); padding: 8px; }
  .chart h2 { font-size: 1em; margin: 0; }
  .chart .summary { color: var(--vscode-descriptionForeground); font-size: 0.9em; margin-bottom: 4px; }
  .chart canvas { width: 100%; height: 180px; }
</style>
</head>
<body>
<header>
  <h1 id="title">${escapeHtml("Monitor")}</h1>
  <label>Time range <select id="range">${options}</select></label>
  <button id="refresh">Refresh</button>
  <span id="status">Reading the metrics…</span>
</header>
<div id="notes"></div>
<div id="charts"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>
`;
}
