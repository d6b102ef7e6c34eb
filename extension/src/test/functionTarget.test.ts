import { strict as assert } from "node:assert";
import { test } from "node:test";
import { displayName, resolveTarget } from "../functionTarget";

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
