// The language client: finds the server binary, starts `lambda-ls lsp` over stdio, and
// sends the server's workspace/executeCommand requests for the extension's commands.

import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import {
  CancellationToken,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  StaticFeature,
  DynamicFeature,
} from "vscode-languageclient/node";
import { findServer, FoundServer, ServerNotFoundError } from "./serverPath";
import { CommandCancelled, errorMessage } from "./errors";
import type { CommandTypes, InitializationOptions } from "./protocol";

export { errorKind, errorMessage } from "./errors";

/**
 * The server names its code-lens commands `lambda.invoke` / `lambda.invokeWithEvent`, the
 * same ids as the extension's own commands, which forward them and show the result. The
 * stock client would register a forwarding command for every id the server lists in
 * `executeCommandProvider` and fail on the duplicate, so that one feature is left out:
 * the extension sends workspace/executeCommand itself (see `LambdaServer.execute`).
 */
class LambdaLanguageClient extends LanguageClient {
  public override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    const method = (feature as Partial<DynamicFeature<unknown>>).registrationType?.method;
    if (method === ExecuteCommandRequest.method) return;
    super.registerFeature(feature);
  }
}

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The server process and its client; restartable. */
export class LambdaServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private found: FoundServer | undefined;
  /** The server's state in the status bar; a click shows the output. */
  private readonly status: vscode.StatusBarItem;
  private readonly started = new vscode.EventEmitter<void>();
  /** Fired each time a server is up (after a start or restart). */
  readonly onDidStart = this.started.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {
    this.status = vscode.window.createStatusBarItem("lambda.server", vscode.StatusBarAlignment.Left, 10);
    this.status.name = "Lambda server";
    this.status.command = "lambda.showOutput";
    this.showState("starting");
    this.status.show();
  }

  private showState(state: "starting" | "running" | "stopped", detail?: string): void {
    const icon = { starting: "$(loading~spin)", running: "$(zap)", stopped: "$(error)" }[state];
    this.status.text = `${icon} lambda-ls`;
    this.status.tooltip = `lambda-ls server: ${state}${detail ? ` (${detail})` : ""}. Click for its log.`;
    this.status.accessibilityInformation = { label: `lambda-ls server ${state}` };
    this.status.backgroundColor =
      state === "stopped" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  /** True while the client runs. */
  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /** Start the server; on failure, say why and how to fix it (never throws). */
  async start(): Promise<boolean> {
    const config = vscode.workspace.getConfiguration("lambda");
    try {
      this.found = findServer({
        setting: config.get<string | null>("server.path"),
        extensionPath: this.context.extensionPath,
        pathEnv: process.env.PATH,
        platform: process.platform,
        home: os.homedir(),
        isExecutable,
      });
    } catch (error) {
      const message =
        error instanceof ServerNotFoundError ? error.message : `Finding the server failed: ${error}`;
      this.output.appendLine(`[lambda] ${message}`);
      this.showState("stopped", "no server binary");
      void this.reportStartFailure(message);
      return false;
    }
    this.output.appendLine(`[lambda] server: ${this.found.path} (${this.found.source})`);

    const serverOptions: ServerOptions = {
      command: this.found.path,
      args: ["lsp"],
      options: { env: { ...process.env, LAMBDA_LS_LOG: process.env.LAMBDA_LS_LOG ?? "info" } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "file", pattern: "**/lambda.toml" },
        { scheme: "file", pattern: "**/template.{yaml,yml}" },
      ],
      outputChannel: this.output,
      initializationOptions: () => this.initializationOptions(),
      synchronize: {
        configurationSection: "lambda",
        fileEvents: vscode.workspace.createFileSystemWatcher(
          "**/{lambda.toml,template.yaml,template.yml,requirements.txt,pyproject.toml,events/*.json}",
        ),
      },
    };
    const client = new LambdaLanguageClient("lambda", "Lambda", serverOptions, clientOptions);
    this.client = client;
    this.showState("starting", this.found.path);
    client.onDidChangeState((change) => {
      if (this.client !== client) return;
      if (change.newState === State.Running) {
        this.showState("running", this.found?.path);
        this.started.fire();
      }
      else if (change.newState === State.Stopped) this.showState("stopped", "see its log");
      else this.showState("starting", this.found?.path);
    });
    try {
      await this.client.start();
      return true;
    } catch (error) {
      const message =
        `The lambda-ls server (${this.found.path}) did not start: ${errorMessage(error)}. ` +
        `See the "Lambda" output for its log; check that the binary matches this machine, ` +
        `or set lambda.server.path.`;
      this.output.appendLine(`[lambda] ${message}`);
      this.showState("stopped", "did not start");
      void this.reportStartFailure(message);
      this.client = undefined;
      return false;
    }
  }

  /** Stop and start again (settings and the binary are looked up anew). */
  async restart(): Promise<boolean> {
    await this.stop();
    return this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.output.appendLine(`[lambda] stopping the server: ${errorMessage(error)}`);
      }
    }
  }

  /**
   * Run one of the server's commands (`lambda.invoke`, `lambda.package`, …) with its
   * argument object, and return its answer; both typed by protocol.ts, which is generated
   * from the server's own types. Throws when the server is not running or the command fails
   * (`errorKind` tells why).
   */
  async execute<C extends keyof CommandTypes>(
    command: C,
    params: CommandTypes[C]["params"],
    token?: CancellationToken,
  ): Promise<CommandTypes[C]["result"]> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      throw new Error(
        'The lambda-ls server is not running. Run "Lambda: Restart Server"; if it still ' +
          'fails, "Lambda: Show Output" shows why.',
      );
    }
    const answer = await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [params] }, token);
    // The client answers a cancelled request with no value rather than an error.
    if (token?.isCancellationRequested) throw new CommandCancelled(command);
    if (answer === undefined || answer === null) {
      throw new Error(`the server gave no answer to ${command}; "Lambda: Show Output" shows its log`);
    }
    return answer as CommandTypes[C]["result"];
  }

  dispose(): void {
    this.status.dispose();
    this.started.dispose();
    void this.stop();
  }

  private initializationOptions(): InitializationOptions {
    const config = vscode.workspace.getConfiguration("lambda");
    return {
      pythonPath: config.get<string | null>("python.path") || undefined,
      templates: config.get<string[]>("templates") ?? [],
      // Restricted Mode: the server may refuse to run workspace code on its side too.
      trusted: vscode.workspace.isTrusted,
    };
  }

  private async reportStartFailure(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      `Lambda: ${message}`,
      "Open Settings",
      "Show Output",
    );
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "lambda.server.path");
    } else if (choice === "Show Output") {
      this.output.show(true);
    }
  }
}
