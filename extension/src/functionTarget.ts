// Turning a command's arguments into the function it acts on. Commands arrive from code
// lenses (`{ uri, handler }`), from the explorer (a Uri, or a row of the Lambda Functions view,
// which carries its `{ uri, handler }`), or from the palette (nothing: the active editor's
// file). Pure, so it is unit-tested.

import type { FunctionSummary } from "./protocol";

/** The function a command acts on, as the server's commands take it. */
export interface FunctionTarget {
  /** A function folder or handler file, as a URI string. */
  uri: string;
  /** The handler's name when a lens names it (`lambda_handler`). */
  handler?: string;
}

/** What a Uri looks like to this module (vscode.Uri has both). */
interface UriLike {
  scheme: string;
  toString(): string;
}

function isUriLike(value: unknown): value is UriLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as UriLike).scheme === "string" &&
    typeof (value as UriLike).toString === "function"
  );
}

/**
 * The target of a command: its first argument when that names one, else the active
 * editor's document. Undefined when there is neither (the caller says what to do).
 */
export function resolveTarget(
  argument: unknown,
  activeDocumentUri: string | undefined,
): FunctionTarget | undefined {
  if (typeof argument === "string" && argument !== "") return { uri: argument };
  if (isUriLike(argument)) return { uri: argument.toString() };
  if (typeof argument === "object" && argument !== null) {
    const record = argument as Record<string, unknown>;
    const uri = record.uri;
    const handler = typeof record.handler === "string" ? record.handler : undefined;
    if (typeof uri === "string" && uri !== "") return { uri, handler };
    if (isUriLike(uri)) return { uri: uri.toString(), handler };
  }
  if (activeDocumentUri) return { uri: activeDocumentUri };
  return undefined;
}

/** The last path segment of a URI, decoded. */
function lastSegment(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const name = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * A name to show for the target before the server has said more: the folder of a
 * handler file or of lambda.toml, else the folder itself.
 */
export function displayName(target: FunctionTarget): string {
  const path = target.uri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").replace(/[?#].*$/, "");
  const last = lastSegment(path);
  const isFile = /\.(py|toml|json)$/i.test(last);
  const folder = isFile ? lastSegment(path.slice(0, path.replace(/\/+$/, "").lastIndexOf("/"))) : last;
  return folder || last || target.uri;
}

/** What the functions view shows of a function. */
export type FunctionRow = Pick<
  FunctionSummary,
  "name" | "handlerPath" | "runtime" | "architecture" | "memory" | "timeout" | "source" | "triggers"
>;

/** A function's row in the functions view: its name, a one-line summary, a tooltip. */
export function describeFunction(row: FunctionRow): { label: string; description: string; tooltip: string } {
  const triggers = row.triggers.length > 0 ? row.triggers.join(", ") : "no trigger";
  return {
    label: row.name,
    description: `${row.runtime} · ${row.memory} MB · ${row.timeout} s · ${triggers}`,
    tooltip:
      `**${row.name}** — \`${row.handlerPath}\`\n\n` +
      `${row.runtime} ${row.architecture}, ${row.memory} MB, ${row.timeout} s; triggers: ${triggers}\n\n` +
      `configured in \`${row.source}\``,
  };
}

/**
 * Trigger types, each also a template name the server accepts: the fallback list when the
 * server cannot list its templates (`lambda.listEvents`).
 */
export const EVENT_TEMPLATES: readonly string[] = [
  "hello-world",
  "s3",
  "api",
  "http-api",
  "function-url",
  "alb",
  "schedule",
  "eventbridge",
  "sqs",
  "sns",
  "dynamodb",
  "kinesis",
  "firehose",
  "kafka",
  "cloudwatch-logs",
  "cognito-user-pool",
  "ses",
  "cloudformation",
  "s3-batch",
  "appsync",
  "iot",
  "config",
  "codecommit",
  "secretsmanager",
];
