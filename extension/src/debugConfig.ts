// The `lambda` debug type's launch configurations, turned into the server's
// `lambda.debugStart` parameters. Pure: no vscode import, so it is unit-tested.
//
//   { "type": "lambda", "request": "launch", "name": "Debug fn",
//     "function": "${workspaceFolder}/fn", "event": "events/upload.json" }

import * as path from "path";
import { pathToFileURL } from "url";
import type { InvokeParams } from "./protocol";

/** The launch configuration's own attributes (VS Code has substituted `${…}` already). */
export interface LambdaLaunchConfiguration {
  type: string;
  request: string;
  name: string;
  /** The function folder, or a file in it. Relative paths are from the workspace folder. */
  function?: string;
  /** An event file (relative to the function folder, else the workspace folder), a file
   * name in the function's `events/`, a template name, or JSON text. */
  event?: string;
  /** The handler's function name, when several functions share the folder. */
  handler?: string;
}

/** Whether a path-like `event` is a file, for resolving it. */
export type FileExists = (absolutePath: string) => boolean;

/**
 * The `lambda.debugStart` parameters for `config`, or the reason it cannot run (said to
 * the person as it is).
 */
export function debugParams(
  config: LambdaLaunchConfiguration,
  workspaceFolder: string | undefined,
  exists: FileExists,
): InvokeParams | string {
  if (!config.function) {
    return 'This "lambda" launch configuration has no "function": set it to the function folder, e.g. "${workspaceFolder}/my-function".';
  }
  const base = workspaceFolder ?? process.cwd();
  const functionPath = path.resolve(base, config.function);
  const params: InvokeParams = { uri: pathToFileURL(functionPath).toString() };
  if (config.handler) params.handler = config.handler;
  if (config.event) params.event = resolveEvent(config.event, functionPath, base, exists);
  return params;
}

/** An event path relative to the function folder (else the workspace folder) made
 * absolute; anything else (a name in `events/`, a template, JSON) as written. */
function resolveEvent(event: string, functionPath: string, workspace: string, exists: FileExists): string {
  const text = event.trim();
  if (text.startsWith("{") || text.startsWith("[") || path.isAbsolute(text)) return event;
  const functionDir = /\.(py|toml)$/.test(functionPath) ? path.dirname(functionPath) : functionPath;
  for (const candidate of [path.resolve(functionDir, text), path.resolve(workspace, text)]) {
    if (exists(candidate)) return candidate;
  }
  return event;
}

/** The configuration F5 uses without a launch.json: the active editor's function. */
export function defaultLaunchConfiguration(activeFile: string): LambdaLaunchConfiguration {
  return { type: "lambda", request: "launch", name: "Lambda: debug function", function: activeFile };
}
