// Generated from server/src/lsp/protocol.rs by its test; do not edit by hand.
// After changing the Rust types: LAMBDA_LS_BLESS=1 cargo test -p lambda-ls protocol
/* eslint-disable */

/** Command ids, by name. */
export const COMMANDS = {
  invoke: "lambda.invoke",
  invokeRemote: "lambda.invokeRemote",
  debugStart: "lambda.debugStart",
  debugResult: "lambda.debugResult",
  package: "lambda.package",
  deployPlan: "lambda.deployPlan",
  deploy: "lambda.deploy",
  newTestEvent: "lambda.newTestEvent",
  listEvents: "lambda.listEvents",
  listFunctions: "lambda.listFunctions",
  logs: "lambda.logs",
  metrics: "lambda.metrics",
} as const;

/** Each command's parameters and result. */
export interface CommandTypes {
  "lambda.invoke": { params: InvokeParams; result: InvokeResult };
  "lambda.invokeRemote": { params: InvokeParams; result: InvokeResult };
  "lambda.debugStart": { params: InvokeParams; result: DebugSession };
  "lambda.debugResult": { params: DebugSessionParams; result: InvokeResult };
  "lambda.package": { params: FunctionParams; result: PackageResult };
  "lambda.deployPlan": { params: FunctionParams; result: DeployPlan };
  "lambda.deploy": { params: FunctionParams; result: DeployResult };
  "lambda.newTestEvent": { params: NewTestEventParams; result: NewTestEventResult };
  "lambda.listEvents": { params: FunctionParams; result: ListEventsResult };
  "lambda.listFunctions": { params: ListFunctionsParams; result: ListFunctionsResult };
  "lambda.logs": { params: LogsParams; result: LogsResult };
  "lambda.metrics": { params: MetricsParams; result: MetricsResult };
}

/** The commands code lenses run. */
export const LENS_COMMANDS = {
  invoke: "lambda.invoke",
  invokeWithEvent: "lambda.invokeWithEvent",
  debug: "lambda.debugFunction",
} as const;

/** Custom requests. */
export const DOCUMENT_TEXT = "lambda/documentText";

/** JSON-RPC error codes of the server's commands, by kind. */
export const ERROR_CODES: Record<ErrorKind, number> = {
  invalidParams: -32602,
  unknownCommand: -32601,
  untrusted: -32010,
  notAFunction: -32011,
  busy: -32012,
  failed: -32013,
  cancelled: -32800,
};

export type FunctionParams = {
  /** A function folder, or a file inside one, as a URI. */
  uri: string;
  /**
   * Which of the folder's functions: its handler's function name (`lambda_handler`), or
   * its id (a SAM template's logical id, else its name), as the lenses and the functions
   * view send them. Absent: the folder's only function, or the only one whose handler is
   * in the file.
   */
  handler?: string;
};

export type InvokeParams = {
  uri: string;
  handler?: string;
  /**
   * An event file's path, a file name in the function's `events/`, a template name, or
   * JSON text. Absent: the last event used for this function, else its trigger's template.
   */
  event?: string;
  /** Start a fresh environment (local invoke only). */
  cold?: boolean;
};

export type InvokeStatus = "Success" | "FunctionError";

export type InvokeReport = {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** On a cold start only. */
  initDurationMs: number | null;
  /** The line as CloudWatch shows it. */
  line: string;
};

export type InvokeResult = {
  /** The function's name. */
  function: string;
  /** Which event was sent, in words (`events/upload.json`, `s3 template`, `{}`). */
  event: string;
  /** Whether the deployed function ran (`lambda.invokeRemote`). */
  remote: boolean;
  status: InvokeStatus;
  /** `errorType` of a function error (`ValueError`, `Sandbox.Timedout`, …). */
  errorType: string | null;
  /** Lambda's `X-Amz-Function-Error` (`Unhandled`) on a remote function error. */
  functionError: string | null;
  requestId: string;
  /** The response payload as text, exactly as the function returned it. */
  payload: string;
  /**
   * The end of the invocation's log: its last 4 KB, as the console's Test tab shows it
   * (remote: Lambda's last 4 KB).
   */
  log: string;
  /** A file holding the whole log, written as it came (local invokes; at most 64 MB). */
  logFile: string | null;
  /** The size of the whole log in bytes; more than `log` holds when it was cut. */
  logBytes: number;
  /** Whether a new environment was started (always false remotely: Lambda does not say). */
  coldStart: boolean;
  /** Absent when the function did not finish (remote logs without a REPORT line). */
  report: InvokeReport | null;
  /** The version that ran (remote). */
  executedVersion: string | null;
  /**
   * What preparing a new local environment had to say, once: the interpreter standing in
   * for the runtime's Python version, the host's architecture differing (also at the top
   * of `log`). Empty remotely and on warm invokes.
   */
  notes: Array<string>;
};

export type DebugSession = {
  /** Names the invoke in `lambda.debugResult`. */
  session: string;
  /** Always the loopback address: debugpy listens on nothing else. */
  host: string;
  port: number;
  /** The function's name. */
  function: string;
  /** Which event was sent, in words. */
  event: string;
};

export type DebugSessionParams = {
  session: string;
};

export type PackagePart = {
  /** A dependency (`pandas 2.2.3`) or a top-level file or folder of the code. */
  name: string;
  dependency: boolean;
  unzippedBytes: number;
  zippedBytes: number;
};

export type PackageResult = {
  function: string;
  /** The .zip's path. */
  zipPath: string;
  /** Base64 SHA-256 of the .zip, as Lambda's `CodeSha256`. */
  codeSha256: string;
  zippedBytes: number;
  unzippedBytes: number;
  files: number;
  runtime: string;
  architecture: string;
  /** The ten largest parts, largest unzipped first. */
  largest: Array<PackagePart>;
  /** What was left out and why. */
  notes: Array<string>;
  /** What needs attention (over 50 MB zipped). */
  warnings: Array<string>;
  /** One sentence for a notification. */
  message: string;
};

export type DeployPlan = {
  functionName: string;
  /** The AWS account id. */
  account: string;
  region: string;
  /** What a deploy would change, one line each (`code: …`, `memory: 128 → 256`). */
  changes: Array<string>;
  /** What the user should know that is not a change. */
  notes: Array<string>;
};

export type DeployResult = {
  functionName: string;
  arn: string;
  region: string;
  created: boolean;
  changes: Array<string>;
  notes: Array<string>;
  /** One sentence for a notification. */
  message: string;
  functionUrl: string | null;
  /** The published version (lambda.toml or `--publish`). */
  version: string | null;
  /** Bytes of code sent (0 when the code was unchanged). */
  uploadedBytes: number;
};

export type NewTestEventParams = {
  uri: string;
  handler?: string;
  /** The template (`lambda-ls events list`); absent: the function's first trigger's. */
  template?: string;
  /** The file name in `events/` (without `.json`); absent: the template's name. */
  name?: string;
};

export type NewTestEventResult = {
  uri: string;
  path: string;
};

export type EventFile = {
  /** The file name (`upload.json`). */
  name: string;
  path: string;
};

export type EventTemplate = {
  name: string;
  description: string;
  /** The trigger type whose event it is (none for the console's `hello-world`). */
  trigger: string | null;
};

export type ListEventsResult = {
  files: Array<EventFile>;
  templates: Array<EventTemplate>;
};

export type ListFunctionsParams = {
  /** Folders to list, as URIs; absent: the workspace folders. */
  folders?: Array<string>;
};

export type FunctionSummary = {
  /** The handler's file (the function folder when it has none yet), as a URI. */
  uri: string;
  /**
   * What picks this function among those of its folder: a template's logical id, else
   * the function's name.
   */
  handler: string;
  name: string;
  /** The function folder, as a URI. */
  folder: string;
  /** `module.function`. */
  handlerPath: string;
  runtime: string;
  architecture: string;
  memory: number;
  timeout: number;
  /** Where it is configured: `lambda.toml`, `defaults`, `template.yaml#LogicalId`. */
  source: string;
  /** The trigger types (`s3`, `http-api`, …). */
  triggers: Array<string>;
};

export type ListFunctionsResult = {
  /** Sorted by folder, then name. */
  functions: Array<FunctionSummary>;
  /** Templates whose functions could not be read, one sentence each. */
  problems: Array<string>;
};

export type LogsParams = {
  uri: string;
  handler?: string;
  /**
   * How far back: a duration (`30s`, `10m`, `3h`, `2d`) or a time; absent: `10m`.
   * Ignored when `cursor` is given.
   */
  since?: string;
  /** A CloudWatch filter pattern (`ERROR`, `"exact phrase"`, `{ $.level = "ERROR" }`). */
  filter?: string;
  /** The previous answer's cursor: only events not returned before (following). */
  cursor?: LogCursor;
};

export type LogCursor = {
  /** The window's start (milliseconds since the epoch). */
  startMs: number;
  /** The newest event's time. */
  newestMs: number;
  /** The events already returned near the newest, with their times. */
  seen: Array<[string, number]>;
  /** The invocation running in each log stream: `[stream, request id]`. */
  open: Array<[string, string]>;
};

export type LogLine = {
  timestampMs: number;
  /** The time as CloudWatch shows it (`2026-05-01T12:00:00.123Z`). */
  time: string;
  stream: string;
  /** The invocation it belongs to; absent outside invocations (INIT lines). */
  requestId: string | null;
  /** The message; a JSON log line pretty-printed, a traceback on several lines. */
  message: string;
  /** Whether it reports a failure. */
  error: boolean;
};

export type LogsResult = {
  function: string;
  logGroup: string;
  /** The log group does not exist yet: the function has never run (or cannot log). */
  neverRan: boolean;
  /** What the person should know (never ran, too many events). */
  notes: Array<string>;
  /** In time order. */
  lines: Array<LogLine>;
  cursor: LogCursor;
};

export type MetricsParams = {
  uri: string;
  handler?: string;
  /** How far back (`1h`, `3h`, `1d`); absent: `3h`. */
  since?: string;
  /** The period of each point (`1m`, `5m`, `1h`); absent: about 60 points over the window. */
  period?: string;
};

export type MetricLine = {
  /** `Sum`, `Average`, `Maximum`, `p99`. */
  label: string;
  points: Array<[number, number]>;
};

export type MetricChart = {
  /** The metric as CloudWatch names it (`Invocations`). */
  metric: string;
  /** `count`, `ms` or `percent`. */
  unit: string;
  /** The window's figures in words (`12 in total`, `avg 41 ms, max 230 ms, p99 –`). */
  summary: string;
  lines: Array<MetricLine>;
};

export type MetricsResult = {
  function: string;
  region: string;
  startMs: number;
  endMs: number;
  periodS: number;
  charts: Array<MetricChart>;
  /** What the figures leave out, and why (no percentiles on this endpoint). */
  notes: Array<string>;
};

export type LensArguments = {
  /** The handler's file. */
  uri: string;
  /**
   * The handler's function name; where functions of a template share that handler, the
   * function's logical id.
   */
  handler: string;
};

export type InitializationOptions = {
  /**
   * Whether the user trusts the workspace (Restricted Mode refuses to run its code).
   * Absent: trusted, as for any editor that knows nothing of trust.
   */
  trusted?: boolean;
  /** The interpreter for functions that do not set `python` (`lambda.python.path`). */
  pythonPath?: string;
  /**
   * SAM templates with other names than template.yaml / template.yml
   * (`lambda.templates`): absolute, or relative to a workspace folder.
   */
  templates?: Array<string>;
};

export type ConfigurationSettings = {
  lambda?: LambdaSettings;
};

export type LambdaSettings = {
  python?: PathSetting;
  trusted?: boolean;
  /** `lambda.templates` (see [`InitializationOptions::templates`]). */
  templates?: Array<string>;
};

export type PathSetting = {
  path?: string;
};

export type ErrorKind = "invalidParams" | "unknownCommand" | "untrusted" | "notAFunction" | "busy" | "failed" | "cancelled";

export type ErrorData = {
  kind: ErrorKind;
};
