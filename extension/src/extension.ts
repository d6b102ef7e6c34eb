// Entry point: an output channel for the server's log, the language client, the commands,
// and a restart when the workspace becomes trusted (restricted settings then apply).

import * as vscode from "vscode";
import { Commands } from "./commands";
import { FunctionsView } from "./functionsView";
import { registerDebugging } from "./debug";
import { ResultPanel } from "./resultPanel";
import { LambdaServer } from "./server";
import { LogsView } from "./logsView";
import { MonitorPanel } from "./monitorPanel";

let server: LambdaServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("Lambda");
  const results = new ResultPanel();
  server = new LambdaServer(context, output);
  const logs = new LogsView(server);
  const monitor = new MonitorPanel(context.extensionUri, server);
  context.subscriptions.push(output, results, server, logs, monitor);

  new Commands(context, server, output, results, logs, monitor).register();
  const functions = new FunctionsView(server);
  context.subscriptions.push(
    functions,
    vscode.window.registerTreeDataProvider("lambdaFunctions", functions),
    vscode.commands.registerCommand("lambda.refreshFunctions", () => functions.refresh()),
  );
  registerDebugging(context, server, output, results);

  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.appendLine("[lambda] workspace trusted: restarting the server with the workspace's settings");
      void server?.restart();
    }),
    vscode.workspace.onDidChangeConfiguration((change) => {
      if (change.affectsConfiguration("lambda.server.path")) void server?.restart();
    }),
  );

  await server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
