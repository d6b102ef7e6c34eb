// The invoke result view: one webview panel, reused like the console's Test tab, showing
// the last invoke and an "Invoke again" button that repeats it.

import * as crypto from "crypto";
import * as vscode from "vscode";
import {
  InvokeResult,
  InvokeTarget,
  renderMessagePage,
  renderResultPage,
} from "./invokeResult";

export class ResultPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private invokeAgain: (() => void) | undefined;
  private showLogs: (() => void) | undefined;
  /** The file holding the whole log of the invoke shown, when the server wrote one. */
  private logFile: string | undefined;

  /**
   * Show "Invoking…" for `target`; `again` runs when "Invoke again" is pressed, `logs`
   * (remote invokes) when "Show logs" is.
   */
  showRunning(target: InvokeTarget, again: () => void, logs?: () => void): void {
    this.invokeAgain = again;
    this.showLogs = logs;
    this.logFile = undefined;
    const panel = this.reveal(target);
    panel.webview.html = renderMessagePage(
      `${target.functionName}: invoking…`,
      `Invoking ${target.functionName} ${target.where === "remote" ? "on AWS" : "locally"}` +
        (target.event ? ` with ${target.event}` : "") +
        "…",
      this.pageContext(panel),
    );
  }

  /** Show a finished invoke. */
  showResult(target: InvokeTarget, result: InvokeResult): void {
    const panel = this.reveal(target);
    this.logFile = result.logFile ?? undefined;
    panel.title = `λ ${target.functionName}: ${result.status}`;
    panel.webview.html = renderResultPage(target, result, this.pageContext(panel));
  }

  /** Show an invoke that could not run (server error, bad answer). */
  showFailure(target: InvokeTarget, message: string): void {
    const panel = this.reveal(target);
    panel.title = `λ ${target.functionName}: failed`;
    panel.webview.html = renderMessagePage(
      `${target.functionName}: the invoke did not run`,
      message,
      this.pageContext(panel),
    );
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private reveal(target: InvokeTarget): vscode.WebviewPanel {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        "lambda.invokeResult",
        `λ ${target.functionName}`,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: true },
      );
      this.panel.onDidDispose(() => {
        this.panel = undefined;
      });
      this.panel.webview.onDidReceiveMessage((message: { type?: string }) => {
        if (message?.type === "invokeAgain") this.invokeAgain?.();
        if (message?.type === "showLogs") this.showLogs?.();
        if (message?.type === "openLog" && this.logFile) {
          void vscode.window.showTextDocument(vscode.Uri.file(this.logFile), { preview: true });
        }
      });
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    this.panel.title = `λ ${target.functionName}`;
    return this.panel;
  }

  private pageContext(panel: vscode.WebviewPanel) {
    return { cspSource: panel.webview.cspSource, nonce: crypto.randomBytes(16).toString("base64") };
  }
}
