import { strict as assert } from "node:assert";
import { test } from "node:test";
import { CommandCancelled, errorKind, errorMessage } from "../errors";
import { ERROR_CODES } from "../protocol";

test("the kind of a server error comes from its data", () => {
  const error = { code: ERROR_CODES.untrusted, message: "trust the folder", data: { kind: "untrusted" } };
  assert.equal(errorKind(error), "untrusted");
  assert.equal(errorMessage(error), "trust the folder");
});

test("errors the client makes itself are known by their code", () => {
  assert.equal(errorKind({ code: -32800, message: "Request cancelled" }), "cancelled");
  assert.equal(errorKind({ code: -32602, message: "bad" }), "invalidParams");
});

test("a cancellation the client answered with no value is a cancellation", () => {
  const error = new CommandCancelled("lambda.deploy");
  assert.equal(errorKind(error), "cancelled");
  assert.match(errorMessage(error), /lambda.deploy was cancelled/);
});

test("other errors have no kind, and a message that mentions 'cancel' is not a cancellation", () => {
  assert.equal(errorKind(new Error("could not cancel the rule")), undefined);
  assert.equal(errorKind("plain"), undefined);
  assert.equal(errorKind(null), undefined);
});
