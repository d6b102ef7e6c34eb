// The palette commands and the code-lens commands. Whatever needs the server is a
// workspace/executeCommand request to it; this file only asks the person, guards Workspace
// Trust, shows progress and shows answers.

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { errorKind, errorMessage, LambdaServer } from "./server";
import { ResultPanel } from "./resultPanel";
import { displayName, EVENT_TEMPLATES, FunctionTarget, resolveTarget } from "./functionTarget";
import { InvokeTarget, succeeded, summarize } from "./invokeResult";
import { COMMANDS, DeployPlan, EventFile, InvokeParams, LENS_COMMANDS } from "./protocol";
import { LogsView } from "./logsView";
import { MonitorPanel } from "./monitorPanel";

export class Commands {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: LambdaServer,
    private readonly output: vscode.OutputChannel,
    private readonly results: ResultPanel,
    private readonly logs: LogsView,
    private readonly monitor: MonitorPanel,
  ) {}

  /** Register every `lambda.*` command. */
  register(): void {
    const add = (id: string, run: (...args: unknown[]) => unknown) =>
      this.context.subscriptions.push(vscode.commands.registerCommand(id, run));
    // The lens commands and the palette's share ids: a lens passes `LensArguments`.
    add(LENS_COMMANDS.invoke, (arg) => this.invoke(arg, "local", undefined));
    add(LENS_COMMANDS.invokeWithEvent, (arg) => this.invokeWithEvent(arg, "local"));
    add(COMMANDS.invokeRemote, (arg) => this.invokeWithEvent(arg, "remote"));
    add(COMMANDS.package, (arg) => this.package(arg));
    add(COMMANDS.deploy, (arg) => this.deploy(arg));
    add(COMMANDS.newTestEvent, (arg) => this.newTestEvent(arg));
    add("lambda.showLogs", (arg) => this.showLogs(arg));
    add("lambda.stopLogs", () => this.logs.stop());
    add("lambda.showMetrics", (arg) => this.showMetrics(arg));
    add("lambda.newFunction", () => this.newFunction());
    add("lambda.restartServer", () => this.restartServer());
    add("lambda.showOutput", () => this.output.show(true));
  }

  private target(argument: unknown): FunctionTarget | undefined {
    const target = resolveTarget(argument, vscode.window.activeTextEditor?.document.uri.toString());
    if (!target) {
      void vscode.window.showErrorMessage(
        "Lambda: no function to act on. Open a handler file (lambda_function.py) or a " +
          "lambda.toml, or use the ▶ Invoke lens above a handler.",
      );
    }
    return target;
  }

  /**
   * Running, packaging and deploying execute the workspace's code or send it to AWS:
   * refused in Restricted Mode, with the reason and a way to trust the workspace.
   */
  private trusted(action: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showWarningMessage(
        `Lambda: ${action} is turned off in Restricted Mode, because it runs code from this ` +
          `workspace, which you have not trusted. Checks and completion still work. Trust the ` +
          `workspace to ${action.toLowerCase()}.`,
        "Manage Workspace Trust",
      )
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
      });
    this.output.appendLine(`[lambda] ${action} refused: the workspace is in Restricted Mode`);
    return false;
  }

  private async invoke(
    argument: unknown,
    where: "local" | "remote",
    event: string | undefined,
  ): Promise<void> {
    if (!this.trusted(where === "remote" ? "Remote invoke" : "Invoke")) return;
    const target = this.target(argument);
    if (!target) return;
    await this.runInvoke(target, where, event);
  }

  private async runInvoke(
    target: FunctionTarget,
    where: "local" | "remote",
    event: string | undefined,
  ): Promise<void> {
    const shown: InvokeTarget = { functionName: displayName(target), event, where };
    const again = () => void this.runInvoke(target, where, event);
    this.results.showRunning(shown, again, where === "remote" ? () => void this.showLogs(target) : undefined);
    const params: InvokeParams = { uri: target.uri, handler: target.handler, event };
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `λ invoking ${shown.functionName}` },
        (_progress, token) =>
          this.server.execute(where === "remote" ? COMMANDS.invokeRemote : COMMANDS.invoke, params, token),
      );
      shown.functionName = result.function;
      this.results.showResult(shown, result);
      this.output.appendLine(`[lambda] ${summarize(shown, result)} (request ${result.requestId})`);
      if (!succeeded(result)) {
        void vscode.window.showWarningMessage(`Lambda: ${summarize(shown, result)}`);
      }
    } catch (error) {
      const message = errorMessage(error);
      if (errorKind(error) === "cancelled") {
        this.output.appendLine(`[lambda] invoking ${shown.functionName}: cancelled`);
        this.results.showFailure(shown, "Cancelled.");
        return;
      }
      this.output.appendLine(`[lambda] invoking ${shown.functionName} failed: ${message}`);
      this.results.showFailure(shown, message);
      void vscode.window.showErrorMessage(`Lambda: invoking ${shown.functionName} failed: ${message}`);
    }
  }

  private async invokeWithEvent(argument: unknown, where: "local" | "remote"): Promise<void> {
    if (!this.trusted(where === "remote" ? "Remote invoke" : "Invoke")) return;
    const target = this.target(argument);
    if (!target) return;
    const event = await this.pickEvent(target, where === "remote");
    if (event === undefined) return;
    await this.runInvoke(target, where, event === "" ? undefined : event);
  }

  /**
   * The function's event files and the templates the server offers; the built-in list of
   * templates when the server cannot answer.
   */
  private async events(
    target: FunctionTarget,
  ): Promise<{ files: EventFile[]; templates: { name: string; description: string }[] }> {
    try {
      const answer = await this.server.execute(COMMANDS.listEvents, { uri: target.uri, handler: target.handler });
      return answer;
    } catch (error) {
      this.output.appendLine(`[lambda] listing test events failed: ${errorMessage(error)}`);
      return {
        files: [],
        templates: EVENT_TEMPLATES.map((name) => ({ name, description: "built-in template" })),
      };
    }
  }

  /** Ask for an event: the function's events/*.json files, then the built-in templates. */
  private async pickEvent(target: FunctionTarget, allowDefault: boolean): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { event: string };
    const items: Item[] = [];
    if (allowDefault) items.push({ label: "Default event", description: "the trigger's template, else hello-world", event: "" });
    const { files, templates } = await this.events(target);
    for (const file of files) {
      items.push({ label: `$(file) ${file.name}`, description: "events/", event: file.path });
    }
    if (items.length > 0) items.push({ label: "", kind: vscode.QuickPickItemKind.Separator, event: "" });
    for (const template of templates) {
      items.push({ label: `$(symbol-event) ${template.name}`, description: template.description, event: template.name });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: `Invoke ${displayName(target)} with…`,
      placeHolder: "A test event from the function's events/ folder, or a built-in template",
      matchOnDescription: true,
    });
    return picked?.event;
  }

  private async package(argument: unknown): Promise<void> {
    if (!this.trusted("Packaging")) return;
    const target = this.target(argument);
    if (!target) return;
    const name = displayName(target);
    try {
      const answer = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Lambda: packaging ${name}`,
          cancellable: true,
        },
        (_progress, token) => this.server.execute(COMMANDS.package, { uri: target.uri, handler: target.handler }, token),
      );
      const text = answer.message;
      this.output.appendLine(`[lambda] ${text}`);
      void vscode.window.showInformationMessage(`Lambda: ${text}`);
    } catch (error) {
      this.reportFailure(`packaging ${name}`, error);
    }
  }

  private async deploy(argument: unknown): Promise<void> {
    if (!this.trusted("Deploy")) return;
    const target = this.target(argument);
    if (!target) return;
    const name = displayName(target);
    const params = { uri: target.uri, handler: target.handler };
    let plan: DeployPlan;
    try {
      plan = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `λ resolving AWS account for ${name}` },
        (_p, token) => this.server.execute(COMMANDS.deployPlan, params, token),
      );
    } catch (error) {
      this.reportFailure(`preparing the deploy of ${name}`, error);
      return;
    }
    const confirm = await vscode.window.showWarningMessage(
      `Deploy "${plan.functionName}" to AWS account ${plan.account} in ${plan.region}?`,
      {
        modal: true,
        detail:
          plan.changes.length === 0
            ? `${plan.functionName} is up to date: nothing would change.`
            : `This would change:\n${plan.changes.map((c) => `• ${c}`).join("\n")}`,
      },
      "Deploy",
    );
    if (confirm !== "Deploy") return;
    try {
      const answer = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Lambda: deploying ${plan.functionName} to ${plan.region}`,
          cancellable: true,
        },
        (_progress, token) => this.server.execute(COMMANDS.deploy, params, token),
      );
      const text = answer.message;
      this.output.appendLine(`[lambda] ${text}`);
      void vscode.window.showInformationMessage(`Lambda: ${text}`, "Show Logs", "Show Metrics").then((choice) => {
        if (choice === "Show Logs") void this.showLogs(target);
        if (choice === "Show Metrics") this.showMetrics(target);
      });
    } catch (error) {
      this.reportFailure(`deploying ${plan.functionName}`, error);
    }
  }

  /** The deployed function's logs in the "Lambda Logs" output channel, followed. */
  private async showLogs(argument: unknown): Promise<void> {
    if (!this.trusted("Show Logs")) return;
    const target = this.target(argument);
    if (!target) return;
    await this.logs.show(target, displayName(target));
  }

  /** The deployed function's Monitor view. */
  private showMetrics(argument: unknown): void {
    if (!this.trusted("Show Metrics")) return;
    const target = this.target(argument);
    if (!target) return;
    this.monitor.show(target, displayName(target));
  }

  private async newTestEvent(argument: unknown): Promise<void> {
    const target = this.target(argument);
    if (!target) return;
    const picked = await vscode.window.showQuickPick(
      (await this.events(target)).templates.map((t) => ({ label: t.name, description: t.description })),
      { title: `New test event for ${displayName(target)}`, placeHolder: "Which service's event?" },
    );
    if (!picked) return;
    const template = picked.label;
    const name = await vscode.window.showInputBox({
      title: "Test event name",
      prompt: "Saved as events/<name>.json in the function's folder",
      value: template,
      validateInput: (value) =>
        /^[A-Za-z0-9._-]+$/.test(value) ? undefined : "Use letters, digits, '.', '_' and '-' only",
    });
    if (!name) return;
    try {
      const answer = await this.server.execute(COMMANDS.newTestEvent, {
        uri: target.uri,
        handler: target.handler,
        template,
        name,
      });
      await vscode.window.showTextDocument(vscode.Uri.parse(answer.uri));
    } catch (error) {
      this.reportFailure(`creating the ${template} test event`, error);
    }
  }

  private async newFunction(): Promise<void> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!root) {
      void vscode.window.showErrorMessage("Lambda: open a folder first; the new function is created in it.");
      return;
    }
    const snippets = loadSnippets(this.context.extensionPath);
    type Item = vscode.QuickPickItem & { body: string };
    const items: Item[] = Object.entries(snippets).map(([name, snippet]) => ({
      label: name,
      description: snippet.prefix,
      detail: snippet.description,
      body: snippet.body,
    }));
    if (items.length === 0) {
      items.push({
        label: "Basic handler",
        detail: "lambda_handler(event, context) returning a JSON object",
        body: 'import json\n\n\ndef lambda_handler(event, context):\n    ${0:return {"statusCode": 200, "body": json.dumps({"ok": True})}}\n',
      });
    }
    const template = await vscode.window.showQuickPick(items, {
      title: "New Lambda function",
      placeHolder: "Which template?",
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!template) return;
    const name = await vscode.window.showInputBox({
      title: "Function folder",
      prompt: `Created in ${root.fsPath}; holds lambda_function.py`,
      value: "my-function",
      validateInput: (value) =>
        /^[A-Za-z0-9._-]+$/.test(value) ? undefined : "Use letters, digits, '.', '_' and '-' only",
    });
    if (!name) return;
    const file = vscode.Uri.joinPath(root, name, "lambda_function.py");
    try {
      await vscode.workspace.fs.stat(file);
      void vscode.window.showErrorMessage(`Lambda: ${file.fsPath} already exists; pick another name.`);
      return;
    } catch {
      // Does not exist: create it.
    }
    await vscode.workspace.fs.writeFile(file, new Uint8Array());
    const editor = await vscode.window.showTextDocument(file);
    await editor.insertSnippet(new vscode.SnippetString(template.body));
    await editor.document.save();
  }

  private async restartServer(): Promise<void> {
    const started = await this.server.restart();
    if (started) void vscode.window.setStatusBarMessage("λ lambda-ls restarted", 3000);
  }

  private reportFailure(what: string, error: unknown): void {
    const message = errorMessage(error);
    if (errorKind(error) === "cancelled") {
      this.output.appendLine(`[lambda] ${what}: cancelled`);
      return;
    }
    this.output.appendLine(`[lambda] ${what} failed: ${message}`);
    void vscode.window.showErrorMessage(`Lambda: ${what} failed: ${message}`, "Show Output").then((choice) => {
      if (choice) this.output.show(true);
    });
  }
}

interface Snippet {
  prefix: string;
  body: string;
  description?: string;
}

/** The bundled snippets (snippets/python.json, copied from the repository at build time). */
function loadSnippets(extensionPath: string): Record<string, Snippet> {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(extensionPath, "snippets", "python.json"), "utf8"));
    const snippets: Record<string, Snippet> = {};
    for (const [name, value] of Object.entries(raw as Record<string, Record<string, unknown>>)) {
      const prefix = Array.isArray(value.prefix) ? String(value.prefix[0]) : String(value.prefix ?? "");
      const body = Array.isArray(value.body) ? value.body.join("\n") : String(value.body ?? "");
      if (!body) continue;
      snippets[name] = {
        prefix,
        body,
        description: typeof value.description === "string" ? value.description : undefined,
      };
    }
    return snippets;
  } catch {
    return {};
  }
}
