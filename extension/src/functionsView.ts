// The explorer's "Lambda Functions" view: the server's `lambda.listFunctions` (lambda.toml
// and SAM template functions alike), one item per function. An item is the function's
// `FunctionParams` ({ uri, handler }), so the ordinary commands act on it from its menu.

import * as vscode from "vscode";
import { errorMessage, LambdaServer } from "./server";
import { COMMANDS, FunctionSummary } from "./protocol";
import { describeFunction } from "./functionTarget";

/** A row that is not a function: why the list is empty or incomplete. */
interface Notice {
  notice: string;
}

type Item = FunctionSummary | Notice;

export class FunctionsView implements vscode.TreeDataProvider<Item>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly server: LambdaServer) {
    // What decides the list: function folders' files and templates, created, changed or
    // deleted on disk.
    const watcher = vscode.workspace.createFileSystemWatcher(
      "**/{lambda.toml,lambda_function.py,template.yaml,template.yml}",
    );
    for (const event of [watcher.onDidCreate, watcher.onDidChange, watcher.onDidDelete]) {
      this.disposables.push(event(() => this.refresh()));
    }
    this.disposables.push(
      watcher,
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
      server.onDidStart(() => this.refresh()),
    );
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(element?: Item): Promise<Item[]> {
    if (element) return [];
    if (!this.server.running) return [{ notice: "The lambda-ls server is not running." }];
    try {
      const result = await this.server.execute(COMMANDS.listFunctions, {});
      const problems: Item[] = result.problems.map((problem) => ({ notice: problem }));
      if (result.functions.length === 0 && problems.length === 0) {
        return [{ notice: "No functions: a folder with lambda.toml or lambda_function.py, or a template.yaml." }];
      }
      return [...result.functions, ...problems];
    } catch (error) {
      return [{ notice: `Could not list the functions: ${errorMessage(error)}` }];
    }
  }

  getTreeItem(element: Item): vscode.TreeItem {
    if ("notice" in element) {
      const item = new vscode.TreeItem(element.notice);
      item.iconPath = new vscode.ThemeIcon("info");
      return item;
    }
    const shown = describeFunction(element);
    const item = new vscode.TreeItem(shown.label);
    item.description = shown.description;
    item.tooltip = new vscode.MarkdownString(shown.tooltip);
    item.iconPath = new vscode.ThemeIcon("symbol-function");
    item.contextValue = "lambdaFunction";
    item.command = { command: "vscode.open", title: "Open Handler", arguments: [vscode.Uri.parse(element.uri)] };
    return item;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
