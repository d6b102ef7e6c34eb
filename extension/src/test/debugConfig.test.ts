import { strict as assert } from "node:assert";
import { test } from "node:test";
import { debugParams, defaultLaunchConfiguration } from "../debugConfig";

const launch = { type: "lambda", request: "launch", name: "Debug" };

test("a launch configuration becomes lambda.debugStart parameters, events relative to the function", () => {
  const files = new Set(["/work/fn/events/upload.json", "/work/shared.json"]);
  const exists = (p: string) => files.has(p);
  assert.deepEqual(
    debugParams({ ...launch, function: "/work/fn", event: "events/upload.json" }, "/work", exists),
    { uri: "file:///work/fn", event: "/work/fn/events/upload.json" },
  );
  // Relative to the workspace folder when not in the function's.
  assert.deepEqual(debugParams({ ...launch, function: "fn", event: "shared.json" }, "/work", exists), {
    uri: "file:///work/fn",
    event: "/work/shared.json",
  });
  // Names in events/, templates and JSON go as written; the handler is passed on.
  assert.deepEqual(debugParams({ ...launch, function: "/work/fn", event: "s3", handler: "h" }, "/work", exists), {
    uri: "file:///work/fn",
    event: "s3",
    handler: "h",
  });
  assert.equal(
    (debugParams({ ...launch, function: "/work/fn", event: '{"a": 1}' }, "/work", exists) as { event: string }).event,
    '{"a": 1}',
  );
  // A handler file as the function: events relative to its folder.
  assert.deepEqual(
    debugParams({ ...launch, function: "/work/fn/lambda_function.py", event: "events/upload.json" }, "/work", exists),
    { uri: "file:///work/fn/lambda_function.py", event: "/work/fn/events/upload.json" },
  );
});

test("no function: the reason, to show", () => {
  const reason = debugParams({ ...launch }, "/work", () => false);
  assert.equal(typeof reason, "string");
  assert.match(reason as string, /has no "function"/);
});

test("F5 without launch.json debugs the active file's function", () => {
  assert.deepEqual(defaultLaunchConfiguration("/work/fn/lambda_function.py"), {
    type: "lambda",
    request: "launch",
    name: "Lambda: debug function",
    function: "/work/fn/lambda_function.py",
  });
});
