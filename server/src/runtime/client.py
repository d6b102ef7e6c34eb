# lambda-ls embedded runtime client: a stdlib-only Lambda Runtime API client that behaves like
# AWS's awslambdaric (error types, messages and JSON, context object, logging format), tuned to
# start fast: no http.client/ssl, logging configured only when the function imports it.
# Installed in a cache folder as `lambda_ls_runtime/bootstrap.py` (so tracebacks name it as
# they name awslambdaric's) and started through `launcher.py` in the function folder.
import os
import sys
import time

_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
_HOST, _, _PORT = _API.rpartition(":")
_BUILTIN = sys.builtin_module_names
_request_id = None
_tenant_id = None


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


# ---- Runtime API over one keep-alive connection -------------------------------------------

import socket

_conn = None
_reader = None


def _connect():
    global _conn, _reader
    _conn = socket.create_connection((_HOST, int(_PORT)))
    _conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    _reader = _conn.makefile("rb")


def _call(method, path, body=b"", headers=None):
    if _conn is None:
        _connect()
    head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, path, _API, len(body))
    if headers:
        for key, value in headers.items():
            head += "%s: %s\r\n" % (key, value)
    _conn.sendall(head.encode("latin-1") + b"\r\n" + body)
    status_line = _reader.readline()
    if not status_line:
        raise ConnectionError("the Runtime API closed the connection")
    status = int(status_line.split()[1])
    response_headers = {}
    while True:
        line = _reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        key, _, value = line.decode("latin-1").partition(":")
        response_headers[key.strip().lower()] = value.strip()
    length = int(response_headers.get("content-length", "0"))
    return status, response_headers, _reader.read(length) if length else b""


# ---- marshalling (awslambdaric uses simplejson; the same output from the stdlib) ------------

import json

_ENSURE_ASCII = os.environ.get("AWS_EXECUTION_ENV") not in {
    "AWS_Lambda_python3.12",
    "AWS_Lambda_python3.13",
    "AWS_Lambda_python3.14",
    "AWS_Lambda_python3.15",
}
_DECIMAL_TOKEN = "lambda-ls-decimal-%x-" % id(FaultException)


class _Encoder(json.JSONEncoder):
    def __init__(self):
        super().__init__(ensure_ascii=_ENSURE_ASCII, allow_nan=True)
        self.decimals = []

    def default(self, obj):
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(obj, decimal.Decimal):
            if obj.is_nan():
                return float("nan")
            # Decimals are written as their exact digits (simplejson's RawJSON): a placeholder
            # string, replaced after encoding.
            self.decimals.append(str(obj))
            return "%s%d" % (_DECIMAL_TOKEN, len(self.decimals) - 1)
        return super().default(obj)


def to_json(obj):
    encoder = _Encoder()
    text = encoder.encode(obj)
    for index, digits in enumerate(encoder.decimals):
        text = text.replace('"%s%d"' % (_DECIMAL_TOKEN, index), digits, 1)
    return text


def _marshal_response(response):
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return to_json(response).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultException(
            FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)), None
        )


def _reject_constant(name):
    raise ValueError(name)


def _unmarshal_request(body, content_type):
    if content_type != "application/json":
        return body
    text = None
    try:
        # As simplejson reads bytes: UTF-8, a leading BOM skipped, no NaN or Infinity.
        text = body.decode("utf-8")
        return json.loads(text[1:] if text[:1] == "\ufeff" else text, parse_constant=_reject_constant)
    except Exception as e:
        message = str(e) if text is None else _simplejson_message(text, e)
        raise FaultException(
            FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(message), None
        )


# awslambdaric parses events with simplejson, whose error messages differ from the standard
# library's ("Expecting ',' delimiter or '}'", "Illegal trailing comma before end of array",
# "Extra data: … - …"). Invalid events are rare and small, so the text is scanned again here,
# the way simplejson's decoder walks it, only to word the error as it would.

class _SyntaxError(Exception):
    def __init__(self, message, pos, end=None):
        self.message, self.pos, self.end = message, pos, end


_WHITESPACE = " \t\n\r"


def _skip(s, i):
    while i < len(s) and s[i] in _WHITESPACE:
        i += 1
    return i


def _scan_value(s, i):
    import re

    c = s[i:i + 1]
    if c == '"':
        return _scan_string(s, i + 1)
    if c == "{":
        return _scan_object(s, i + 1)
    if c == "[":
        return _scan_array(s, i + 1)
    for word in ("null", "true", "false"):
        if s.startswith(word, i):
            return i + len(word)
    number = re.compile(r"(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?").match(s, i)
    if number:
        return number.end()
    raise _SyntaxError("Expecting value", i)


def _scan_hex(s, end):
    if len(s[end:end + 4]) != 4 or any(c not in "0123456789abcdefABCDEF" for c in s[end:end + 4]):
        raise _SyntaxError("Invalid \\uXXXX escape sequence", end - 2)
    return int(s[end:end + 4], 16), end + 4


def _scan_string(s, end):
    begin = end - 1
    while True:
        while end < len(s) and s[end] not in '"\\' and ord(s[end]) >= 0x20:
            end += 1
        if end >= len(s):
            raise _SyntaxError("Unterminated string starting at", begin)
        terminator = s[end]
        end += 1
        if terminator == '"':
            return end
        if terminator != "\\":
            raise _SyntaxError("Invalid control character %r at", end - 1)
        if end >= len(s):
            raise _SyntaxError("Unterminated string starting at", begin)
        escape = s[end]
        if escape != "u":
            if escape not in '"\\/bfnrt':
                raise _SyntaxError("Invalid \\X escape sequence %r", end)
            end += 1
            continue
        value, end = _scan_hex(s, end + 1)
        if value & 0xFC00 == 0xD800 and s[end:end + 2] == "\\u":
            low, after = _scan_hex(s, end + 2)
            if low & 0xFC00 == 0xDC00:
                end = after


def _scan_object(s, end):
    end = _skip(s, end)
    if s[end:end + 1] == "}":
        return end + 1
    if s[end:end + 1] != '"':
        raise _SyntaxError("Expecting property name enclosed in double quotes or '}'", end)
    end += 1
    while True:
        end = _skip(s, _scan_string(s, end))
        if s[end:end + 1] != ":":
            raise _SyntaxError("Expecting ':' delimiter", end)
        end = _skip(s, _scan_value(s, _skip(s, end + 1)))
        separator = s[end:end + 1]
        end += 1
        if separator == "}":
            return end
        if separator != ",":
            raise _SyntaxError("Expecting ',' delimiter or '}'", end - 1)
        comma = end - 1
        end = _skip(s, end)
        quote = s[end:end + 1]
        end += 1
        if quote != '"':
            if quote == "}":
                raise _SyntaxError("Illegal trailing comma before end of object", comma)
            raise _SyntaxError("Expecting property name enclosed in double quotes", end - 1)


def _scan_array(s, end):
    end = _skip(s, end)
    if s[end:end + 1] == "]":
        return end + 1
    if s[end:end + 1] == "":
        raise _SyntaxError("Expecting value or ']'", end)
    while True:
        end = _skip(s, _scan_value(s, end))
        separator = s[end:end + 1]
        end += 1
        if separator == "]":
            return end
        if separator != ",":
            raise _SyntaxError("Expecting ',' delimiter or ']'", end - 1)
        comma = end - 1
        end = _skip(s, end)
        if s[end:end + 1] == "]":
            raise _SyntaxError("Illegal trailing comma before end of array", comma)


def _simplejson_message(s, error):
    """simplejson's message for the first error in `s`; the standard library's `error` when
    the scan finds none (a limit rather than a syntax error)."""
    try:
        start = 1 if s[:1] == "\ufeff" else 0
        end = _skip(s, _scan_value(s, _skip(s, start)))
        if end != len(s):
            raise _SyntaxError("Extra data", end, len(s))
        return str(error)
    except _SyntaxError as e:
        def line_column(pos):
            line = s.count("\n", 0, pos) + 1
            column = pos + 1 if line == 1 else pos - s.rindex("\n", 0, pos)
            return line, column

        message = e.message.replace("%r", repr(s[e.pos:e.pos + 1]))
        line, column = line_column(e.pos)
        if e.end is None:
            return "%s: line %d column %d (char %d)" % (message, line, column, e.pos)
        end_line, end_column = line_column(e.end)
        return "%s: line %d column %d - line %d column %d (char %d - %d)" % (
            message, line, column, end_line, end_column, e.pos, e.end
        )
    except RecursionError:
        return str(error)


# ---- logging: the function's output is its log, formatted as awslambdaric does --------------

class _Unbuffered(object):
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


def _timestamp():
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (int(now * 1000) % 1000)


def _configure_logging(logging):
    class LambdaLoggerHandler(logging.Handler):
        def emit(self, record):
            sys.stdout.write(self.format(record))

    class LambdaLoggerFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _request_id or ""
            record.tenant_id = _tenant_id
            return True

    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(LambdaLoggerFilter())
    logging.getLogger().addHandler(handler)


class _LoggingImportHook(object):
    """Configures `logging` the moment the function imports it (importing it up front would
    cost every cold start a few milliseconds for functions that never log)."""

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original = spec.loader.exec_module

        def exec_module(module):
            original(module)
            _configure_logging(module)

        spec.loader.exec_module = exec_module
        return spec


def _log_error(error_result):
    description = "[ERROR]"
    if error_result["errorType"]:
        description += " " + error_result["errorType"]
    if error_result["errorMessage"]:
        if error_result["errorType"]:
            description += ":"
        description += " " + error_result["errorMessage"]
    lines = [description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\r".join(lines) + "\n")


_UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with a change in the "
    "runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


# ---- errors ----------------------------------------------------------------------------------

def make_error(error_message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _user_frames(tb):
    import traceback

    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for index in range(len(frames)):
        if "/bootstrap.py" not in frames[index][0]:
            return traceback.format_list(frames[index:])
    return traceback.format_list(frames)


def _get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(
            FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e))
        )
    try:
        if modname.split(".")[0] in _BUILTIN:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        import importlib

        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR,
            "Unable to import module '{}': {}".format(modname, str(e)),
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '{}': {}".format(modname, str(e)),
            trace,
        )
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND,
            "Handler '{}' missing on module '{}'".format(fname, modname),
            None,
        )


# ---- the context object ---------------------------------------------------------------------

class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}"
            "])"
        )


class Client(object):
    __slots__ = [
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    ]

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"installation_id={self.installation_id},"
            f"app_title={self.app_title},"
            f"app_version_name={self.app_version_name},"
            f"app_version_code={self.app_version_code},"
            f"app_package_name={self.app_package_name}"
            "])"
        )


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"custom={self.custom},"
            f"env={self.env},"
            f"client={self.client}"
            "])"
        )


def _make_obj(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field, None))
    return obj


class LambdaContext(object):
    def __init__(self, invoke_id, client_context, cognito_identity, deadline_ms,
                 invoked_function_arn=None, tenant_id=None):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        w3c = {}
        if isinstance(client_context, dict) and "w3c" in client_context:
            raw = client_context.pop("w3c")
            if isinstance(raw, dict):
                for key in ("traceparent", "tracestate", "baggage"):
                    if isinstance(raw.get(key), str):
                        w3c[key] = raw[key]
        self._w3c_fields = w3c
        self.client_context = _make_obj(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _make_obj(Client, self.client_context.client)
        self.identity = _make_obj(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._epoch_deadline_time_in_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        delta_ms = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta_ms if delta_ms > 0 else 0

    def w3c(self):
        return dict(self._w3c_fields)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}"
            "])"
        )


def _parse_json_header(header, name):
    try:
        return json.loads(header)
    except Exception as e:
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
            "Unable to parse {} JSON: {}".format(name, str(e)),
            None,
        )


# ---- the invoke loop ------------------------------------------------------------------------

def _handle(request_handler, invoke_id, body, headers):
    error_result = None
    try:
        client_context = headers.get("lambda-runtime-client-context")
        client_context = _parse_json_header(client_context, "Client Context") if client_context else None
        identity = headers.get("lambda-runtime-cognito-identity")
        identity = _parse_json_header(identity, "Cognito Identity") if identity else None
        deadline = headers.get("lambda-runtime-deadline-ms")
        lambda_context = LambdaContext(
            invoke_id,
            client_context,
            identity,
            int(deadline) if deadline else 0,
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id"),
        )
        event = _unmarshal_request(body, headers.get("content-type"))
        response = request_handler(event, lambda_context)
        result, content_type = _marshal_response(response)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, invoke_id)
    except Exception:
        etype, value, tb = sys.exc_info()
        error_result = make_error(str(value), etype.__name__, _user_frames(tb), invoke_id)
    if error_result is not None:
        _log_error(error_result)
        _call(
            "POST",
            "/2018-06-01/runtime/invocation/%s/error" % invoke_id,
            to_json(error_result).encode("utf-8"),
            {"Content-Type": "application/json",
             "Lambda-Runtime-Function-Error-Type": error_result["errorType"]},
        )
    else:
        _call(
            "POST",
            "/2018-06-01/runtime/invocation/%s/response" % invoke_id,
            result,
            {"Content-Type": content_type},
        )


def main(handler):
    global _request_id, _tenant_id
    sys.stdout = _Unbuffered(sys.stdout)
    sys.stderr = _Unbuffered(sys.stderr)
    # The launcher laid out sys.path (the task root first); started alone, the task root
    # still comes first.
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    if "logging" in sys.modules:
        _configure_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingImportHook())

    error_result = None
    try:
        request_handler = _get_handler(handler)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        etype, value, tb = sys.exc_info()
        error_result = make_error(str(value), etype.__name__, _user_frames(tb))
    if error_result is not None:
        sys.stdout.write("[WARNING]\t%s\t\t%s\n" % (_timestamp(), _UNHANDLED_WARNING))
        _log_error(error_result)
        _call(
            "POST",
            "/2018-06-01/runtime/init/error",
            to_json(error_result).encode("utf-8"),
            {"Content-Type": "application/json",
             "Lambda-Runtime-Function-Error-Type": error_result["errorType"]},
        )
        sys.exit(1)

    while True:
        status, headers, body = _call("GET", "/2018-06-01/runtime/invocation/next")
        if status != 200:
            raise RuntimeError("Runtime API /next answered %d: %r" % (status, body))
        invoke_id = headers.get("lambda-runtime-aws-request-id")
        _request_id = invoke_id
        _tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id is not None:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        _handle(request_handler, invoke_id, body, headers)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("_HANDLER", ""))
