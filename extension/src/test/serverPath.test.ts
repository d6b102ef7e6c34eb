import { strict as assert } from "node:assert";
import { test } from "node:test";
import { findServer, ServerLookup, ServerNotFoundError, expandHome } from "../serverPath";

function lookup(executables: string[], overrides: Partial<ServerLookup> = {}): ServerLookup {
  return {
    setting: undefined,
    extensionPath: "/ext",
    pathEnv: "/usr/local/bin:/usr/bin",
    platform: "linux",
    home: "/home/me",
    isExecutable: (file) => executables.includes(file),
    ...overrides,
  };
}

test("the setting wins over the bundled binary and PATH", () => {
  const found = findServer(
    lookup(["/opt/lambda-ls", "/ext/server/lambda-ls", "/usr/bin/lambda-ls"], { setting: "/opt/lambda-ls" }),
  );
  assert.deepEqual(found, { path: "/opt/lambda-ls", source: "setting" });
});

test("a setting starting with ~ is expanded to the home folder", () => {
  const found = findServer(lookup(["/home/me/bin/lambda-ls"], { setting: "~/bin/lambda-ls" }));
  assert.deepEqual(found, { path: "/home/me/bin/lambda-ls", source: "setting" });
});

test("a setting that points nowhere is an error naming the setting, not a silent fallback", () => {
  assert.throws(
    () => findServer(lookup(["/ext/server/lambda-ls"], { setting: "/nope/lambda-ls" })),
    (error: unknown) =>
      error instanceof ServerNotFoundError &&
      error.message.includes("lambda.server.path") &&
      error.message.includes("/nope/lambda-ls"),
  );
});

test("a blank setting is ignored", () => {
  const found = findServer(lookup(["/ext/server/lambda-ls"], { setting: "   " }));
  assert.equal(found.source, "bundled");
});

test("the bundled binary comes before PATH", () => {
  const found = findServer(lookup(["/ext/server/lambda-ls", "/usr/bin/lambda-ls"]));
  assert.deepEqual(found, { path: "/ext/server/lambda-ls", source: "bundled" });
});

test("PATH is searched in order", () => {
  const found = findServer(lookup(["/usr/bin/lambda-ls", "/usr/local/bin/lambda-ls"]));
  assert.deepEqual(found, { path: "/usr/local/bin/lambda-ls", source: "path" });
});

test("on Windows the binary is lambda-ls.exe and PATH is split on ';'", () => {
  const found = findServer(
    lookup(["C:\\tools/lambda-ls.exe"], { platform: "win32", pathEnv: "C:\\other;C:\\tools" }),
  );
  assert.equal(found.source, "path");
  assert.match(found.path, /lambda-ls\.exe$/);
});

test("nothing found: the message says where it looked and how to fix it", () => {
  assert.throws(
    () => findServer(lookup([])),
    (error: unknown) => {
      assert.ok(error instanceof ServerNotFoundError);
      assert.match(error.message, /\/ext\/server\/lambda-ls/);
      assert.match(error.message, /not on PATH/);
      assert.match(error.message, /cargo build --release -p lambda-ls/);
      assert.match(error.message, /lambda\.server\.path/);
      return true;
    },
  );
});

test("expandHome leaves other paths alone", () => {
  assert.equal(expandHome("/a/~/b", "/h"), "/a/~/b");
  assert.equal(expandHome("~", "/h"), "/h");
});
