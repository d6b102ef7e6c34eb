"""The AWS suites' local emulator: moto's server, and a bridge for the one protocol it does
not speak.

The AWS SDK for Rust talks to CloudWatch (metrics) in Smithy RPCv2 CBOR (aws-sdk-cloudwatch
1.100 and later); moto's CloudWatch understands AWS's JSON 1.0 and query protocols only. The
bridge turns each CBOR request into the same request in JSON 1.0, hands it to moto, and turns
moto's JSON answer back into CBOR, typed with botocore's model of CloudWatch (timestamps are
CBOR tag 1, doubles are floats). Nothing else is touched.

    python3 moto_server.py -H 127.0.0.1 -p PORT
"""
import argparse
import datetime
import io
import json
import os

import botocore.session
import cbor2
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

CLOUDWATCH = botocore.session.get_session().get_service_model("cloudwatch")
TARGET_PREFIX = CLOUDWATCH.metadata["targetPrefix"]
UTC = datetime.timezone.utc


def to_json_value(value):
    """A decoded CBOR value as JSON 1.0 sends it: timestamps as epoch seconds."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if isinstance(value, dict):
        return {key: to_json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json_value(item) for item in value]
    return value


def typed(value, shape):
    """A JSON value from moto, typed by its shape for CBOR."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        return {
            name: typed(item, shape.members.get(name))
            for name, item in value.items()
            if item is not None
        }
    if kind == "list":
        return [typed(item, shape.member) for item in value]
    if kind == "map":
        return {key: typed(item, shape.value) for key, item in value.items()}
    if kind == "timestamp":
        if isinstance(value, (int, float)):
            return datetime.datetime.fromtimestamp(value, UTC)
        return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if kind in ("double", "float"):
        return float(value)
    if kind in ("integer", "long"):
        return int(value)
    return value


class CborBridge:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("HTTP_SMITHY_PROTOCOL") != "rpc-v2-cbor":
            return self.app(environ, start_response)
        operation = environ.get("PATH_INFO", "").rsplit("/", 1)[-1]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        request = cbor2.loads(body) if body else {}
        payload = json.dumps(to_json_value(request)).encode()
        forwarded = dict(environ)
        forwarded.pop("HTTP_SMITHY_PROTOCOL", None)
        forwarded.update(
            {
                "PATH_INFO": "/",
                "CONTENT_TYPE": "application/x-amz-json-1.0",
                "HTTP_X_AMZ_TARGET": f"{TARGET_PREFIX}.{operation}",
                "CONTENT_LENGTH": str(len(payload)),
                "wsgi.input": io.BytesIO(payload),
            }
        )
        answer = {}

        def capture(status, headers, exc_info=None):
            answer["status"] = status
            answer["headers"] = headers
            return lambda chunk: None

        chunks = self.app(forwarded, capture)
        raw = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        status = answer["status"]
        if not status.startswith("2"):
            try:
                error = json.loads(raw)
            except ValueError:
                # Not an AWS error (moto failing on something it does not do): as it is.
                start_response(status, answer["headers"])
                return [raw]
            code = str(error.get("__type", "")).rsplit("#", 1)[-1]
            out = cbor2.dumps({"__type": code, "message": error.get("message", "")})
        else:
            output_shape = CLOUDWATCH.operation_model(operation).output_shape
            result = typed(json.loads(raw) if raw else {}, output_shape)
            out = cbor2.dumps(result, datetime_as_timestamp=True, timezone=UTC)
        start_response(
            status,
            [
                ("Content-Type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
                ("Content-Length", str(len(out))),
            ],
        )
        return [out]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, CborBridge(app), threaded=True)


if __name__ == "__main__":
    main()
