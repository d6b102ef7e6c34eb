import { strict as assert } from "node:assert";
import { test } from "node:test";
import { describeFunction, displayName, resolveTarget } from "../functionTarget";

const active = "file:///work/prices/lambda_function.py";

test("a code lens argument names the uri and the handler", () => {
  assert.deepEqual(resolveTarget({ uri: "file:///w/hello/lambda_function.py", handler: "lambda_handler" }, active), {
    uri: "file:///w/hello/lambda_function.py",
    handler: "lambda_handler",
  });
});

test("a Uri from the explorer is used as it is", () => {
  const uri = { scheme: "file", toString: () => "file:///w/orders" };
  assert.deepEqual(resolveTarget(uri, active), { uri: "file:///w/orders" });
});

test("from the palette, the active editor's file is the target", () => {
  assert.deepEqual(resolveTarget(undefined, active), { uri: active });
});

test("no argument and no editor: no target", () => {
  assert.equal(resolveTarget(undefined, undefined), undefined);
  assert.equal(resolveTarget({}, undefined), undefined);
});

test("the display name is the function's folder", () => {
  assert.equal(displayName({ uri: "file:///w/hello/lambda_function.py" }), "hello");
  assert.equal(displayName({ uri: "file:///w/s3%20prices/lambda.toml" }), "s3 prices");
  assert.equal(displayName({ uri: "file:///w/orders/" }), "orders");
  assert.equal(displayName({ uri: "vscode-remote://ssh-remote%2Bec2/home/ec2-user/fn/app.py" }), "fn");
});

test("a functions-view item is a target: its handler picks the template's function", () => {
  const item = {
    uri: "file:///w/shop/src/orders.py",
    handler: "ProcessOrderFunction",
    name: "ProcessOrderFunction",
    folder: "file:///w/shop/src",
  };
  assert.deepEqual(resolveTarget(item, active), {
    uri: "file:///w/shop/src/orders.py",
    handler: "ProcessOrderFunction",
  });
});

test("a function's row: name, one-line summary, where it is configured", () => {
  const row = describeFunction({
    name: "ProcessOrderFunction",
    handlerPath: "orders.process_order",
    runtime: "python3.12",
    architecture: "arm64",
    memory: 256,
    timeout: 60,
    source: "template.yaml#ProcessOrderFunction",
    triggers: ["sqs"],
  });
  assert.equal(row.label, "ProcessOrderFunction");
  assert.equal(row.description, "python3.12 · 256 MB · 60 s · sqs");
  assert.match(row.tooltip, /configured in `template.yaml#ProcessOrderFunction`/);
  const bare = describeFunction({ ...{ name: "f", handlerPath: "a.b", runtime: "r", architecture: "x", memory: 1, timeout: 2, source: "s" }, triggers: [] });
  assert.match(bare.description, /no trigger$/);
});
