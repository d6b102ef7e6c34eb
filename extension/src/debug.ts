// The `lambda` debug type: its adapter is the debugpy listener the server starts for a
// local invoke (`lambda.debugStart`), reached as a DebugAdapterServer on 127.0.0.1, so
// debugging needs no other extension. When the invoke finishes, its result goes to the
// result view. Refused in Restricted Mode (it runs the workspace's code).

import * as fs from "fs";
import * as vscode from "vscode";
import { debugParams, defaultLaunchConfiguration, LambdaLaunchConfiguration } from "./debugConfig";
import { InvokeTarget, summarize } from "./invokeResult";
import { COMMANDS, LENS_COMMANDS } from "./protocol";
import { ResultPanel } from "./resultPanel";
import { errorKind, errorMessage, LambdaServer } from "./server";
import { resolveTarget } from "./functionTarget";

export const DEBUG_TYPE = "lambda";

export function registerDebugging(
  context: vscode.ExtensionContext,
  server: LambdaServer,
  output: vscode.OutputChannel,
  results: ResultPanel,
): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      resolveDebugConfiguration(_folder, config) {
        // F5 with no launch.json: the active editor's function.
        if (!config.type && !config.request && !config.name) {
          const active = vscode.window.activeTextEditor?.document.uri;
          if (!active || active.scheme !== "file") {
            void vscode.window.showErrorMessage(
              "Lambda: open a handler file (or add a \"lambda\" launch configuration) to debug a function.",
            );
            return undefined;
          }
          return defaultLaunchConfiguration(active.fsPath);
        }
        return config;
      },
    }),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: (session) => startAdapter(session, server, output, results),
    }),
    vscode.commands.registerCommand(LENS_COMMANDS.debug, (argument: unknown) => {
      const target = resolveTarget(argument, vscode.window.activeTextEditor?.document.uri.toString());
      if (!target) {
        void vscode.window.showErrorMessage(
          "Lambda: no function to debug. Open a handler file, or use the Debug lens above a handler.",
        );
        return;
      }
      const uri = vscode.Uri.parse(target.uri);
      const configuration: LambdaLaunchConfiguration = {
        type: DEBUG_TYPE,
        request: "launch",
        name: "Lambda: debug function",
        function: uri.fsPath,
        handler: target.handler,
      };
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), configuration);
    }),
  );
}

async function startAdapter(
  session: vscode.DebugSession,
  server: LambdaServer,
  output: vscode.OutputChannel,
  results: ResultPanel,
): Promise<vscode.DebugAdapterDescriptor> {
  if (!vscode.workspace.isTrusted) {
    throw new Error(
      "Lambda: debugging runs code from this workspace and is turned off in Restricted Mode. Trust the workspace to debug.",
    );
  }
  const params = debugParams(
    session.configuration as LambdaLaunchConfiguration,
    session.workspaceFolder?.uri.fsPath,
    (file) => fs.existsSync(file),
  );
  if (typeof params === "string") throw new Error(`Lambda: ${params}`);
  let started;
  try {
    started = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "λ starting the function under the debugger" },
      (_progress, token) => server.execute(COMMANDS.debugStart, params, token),
    );
  } catch (error) {
    output.appendLine(`[lambda] debugging failed to start: ${errorMessage(error)}`);
    throw new Error(`Lambda: ${errorMessage(error)}`);
  }
  output.appendLine(
    `[lambda] debugging ${started.function} with ${started.event}: debugpy on ${started.host}:${started.port}`,
  );
  const shown: InvokeTarget = { functionName: started.function, event: started.event, where: "local" };
  const again = () => void vscode.debug.startDebugging(session.workspaceFolder, session.configuration);
  // The result comes when the handler returns (or the debugger ends the process).
  server.execute(COMMANDS.debugResult, { session: started.session }).then(
    (result) => {
      results.showResult(shown, result);
      output.appendLine(`[lambda] ${summarize(shown, result)} (request ${result.requestId}, debugged)`);
    },
    (error) => {
      if (errorKind(error) === "cancelled") return;
      results.showFailure(shown, errorMessage(error));
    },
  );
  results.showRunning(shown, again);
  return new vscode.DebugAdapterServer(started.port, started.host);
}
