// Finding the lambda-ls binary: the `lambda.server.path` setting, else the binary bundled
// in the extension (server/lambda-ls), else `lambda-ls` on PATH. Pure: the file system is
// passed in, so the order and the error message are unit-tested.

import * as path from "path";

/** Where the binary was found, for the output channel. */
export type ServerSource = "setting" | "bundled" | "path";

export interface FoundServer {
  path: string;
  source: ServerSource;
}

/** What the lookup needs from the outside world. */
export interface ServerLookup {
  /** The `lambda.server.path` setting, if set (already `~`-expanded or not). */
  setting: string | undefined | null;
  /** The extension's install folder. */
  extensionPath: string;
  /** The PATH environment variable. */
  pathEnv: string | undefined;
  /** `process.platform`. */
  platform: NodeJS.Platform;
  /** The user's home folder, for `~` in the setting. */
  home: string;
  /** True when `file` exists and can be executed. */
  isExecutable: (file: string) => boolean;
}

/** No binary anywhere: the message says where we looked and how to fix it. */
export class ServerNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServerNotFoundError";
  }
}

/** The binary's file name on this platform. */
export function binaryName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "lambda-ls.exe" : "lambda-ls";
}

/** Expand a leading `~` the way a shell would, since settings are not run through one. */
export function expandHome(file: string, home: string): string {
  if (file === "~") return home;
  if (file.startsWith("~/") || file.startsWith("~\\")) return path.join(home, file.slice(2));
  return file;
}

/** Find the server binary, or throw ServerNotFoundError with a message a person can act on. */
export function findServer(lookup: ServerLookup): FoundServer {
  const name = binaryName(lookup.platform);
  const setting = lookup.setting?.trim();
  if (setting) {
    const file = expandHome(setting, lookup.home);
    if (lookup.isExecutable(file)) return { path: file, source: "setting" };
    // An explicit setting that points nowhere is an error, not a reason to pick another
    // binary silently: the person asked for that one.
    throw new ServerNotFoundError(
      `The setting lambda.server.path is "${setting}", but no executable file is there. ` +
        `Fix the path (or clear the setting to use the bundled server or ${name} on PATH).`,
    );
  }

  const bundled = path.join(lookup.extensionPath, "server", name);
  if (lookup.isExecutable(bundled)) return { path: bundled, source: "bundled" };

  const separator = lookup.platform === "win32" ? ";" : ":";
  for (const dir of (lookup.pathEnv ?? "").split(separator)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (lookup.isExecutable(candidate)) return { path: candidate, source: "path" };
  }

  throw new ServerNotFoundError(
    `The lambda-ls server was not found: this extension has no bundled server (${bundled}) ` +
      `and ${name} is not on PATH. Install a platform build of the extension (its VSIX holds ` +
      `the server), or build it with \`cargo build --release -p lambda-ls\` and set ` +
      `lambda.server.path to the binary (or put it on PATH), then run "Lambda: Restart Server".`,
  );
}
