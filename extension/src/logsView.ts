// "Lambda: Show Logs": the deployed function's CloudWatch logs in the "Lambda Logs" output
// channel, grouped per invocation, then followed: the server is asked every few seconds
// for what arrived since its last answer (its cursor), until the person stops following
// (the status bar item, or "Lambda: Stop Following Logs") or follows another function.

import * as vscode from "vscode";
import { errorKind, errorMessage, LambdaServer } from "./server";
import { formatLogLines, Placement } from "./logLines";
import { COMMANDS, LogCursor } from "./protocol";
import type { FunctionTarget } from "./functionTarget";

/** How often new events are asked for while following. */
const POLL_MS = 3_000;

export class LogsView implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel("Lambda Logs");
  private readonly status: vscode.StatusBarItem;
  /** The logs being followed; replaced by each Show Logs. */
  private following: { stop: () => void } | undefined;

  constructor(private readonly server: LambdaServer) {
    this.status = vscode.window.createStatusBarItem("lambda.logs", vscode.StatusBarAlignment.Left, 9);
    this.status.name = "Lambda logs";
    this.status.command = "lambda.stopLogs";
  }

  /** Show `target`'s logs of the last `since` and follow them. */
  async show(target: FunctionTarget, name: string, since = "10m"): Promise<void> {
    this.stop();
    this.channel.clear();
    this.channel.show(true);
    this.channel.appendLine(`Logs of ${name}, the last ${since}, then following…`);
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
    this.following = { stop };
    let cursor: LogCursor | undefined;
    let last: Placement | undefined;
    let saidNeverRan = false;
    const poll = async (): Promise<void> => {
      try {
        const answer = await this.server.execute(COMMANDS.logs, {
          uri: target.uri,
          handler: target.handler,
          since,
          cursor,
        });
        if (stopped) return;
        if (!cursor) {
          this.channel.appendLine(`Log group ${answer.logGroup}`);
          this.showFollowing(answer.function);
        }
        cursor = answer.cursor;
        if (answer.neverRan && !saidNeverRan) {
          for (const note of answer.notes) this.channel.appendLine(note);
          this.channel.appendLine("Waiting for its first invocation…");
          saidNeverRan = true;
        } else if (!answer.neverRan) {
          for (const note of answer.notes) this.channel.appendLine(note);
        }
        const formatted = formatLogLines(answer.lines, last);
        last = formatted.last;
        if (formatted.text) this.channel.append(formatted.text);
      } catch (error) {
        if (stopped || errorKind(error) === "cancelled") return;
        this.channel.appendLine(`Reading the logs of ${name} failed: ${errorMessage(error)}`);
        if (!cursor) {
          this.stop();
          void vscode.window.showErrorMessage(`Lambda: reading the logs of ${name} failed: ${errorMessage(error)}`);
          return;
        }
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    await poll();
  }

  /** Stop following (the channel keeps what it shows). */
  stop(): void {
    if (!this.following) return;
    this.following.stop();
    this.following = undefined;
    this.status.hide();
    this.channel.appendLine("(stopped following)");
  }

  private showFollowing(functionName: string): void {
    this.status.text = `$(sync~spin) ${functionName} logs`;
    this.status.tooltip = `Following the CloudWatch logs of ${functionName}. Click to stop.`;
    this.status.accessibilityInformation = { label: `Following the logs of ${functionName}` };
    this.status.show();
  }

  dispose(): void {
    this.stop();
    this.status.dispose();
    this.channel.dispose();
  }
}
