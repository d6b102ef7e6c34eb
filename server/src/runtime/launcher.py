# lambda-ls launcher: the script an execution environment starts, as
#   python [-S] launcher.py CONFIG
# where CONFIG is JSON: {"client": "embedded" | "awslambdaric", "handler": "module.function",
# "task_root": "/path/to/function", "front": [paths], "back": [paths], "debug_port": int | null}.
# It lays out sys.path in Lambda's order (the function folder, then `front`: its dependencies,
# layers and the runtime's libraries, then the standard library; lambda-ls's own tools in
# `back`), waits for a debugger when asked, and runs the runtime client.
import sys


def _tell(what, body):
    """Tell the Runtime API server something about the environment (debugger state)."""
    import json
    import os
    import socket

    api = os.environ["AWS_LAMBDA_RUNTIME_API"]
    host, _, port = api.rpartition(":")
    data = json.dumps(body).encode("utf-8")
    head = "POST /2018-06-01/runtime/lambda-ls/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        what,
        api,
        len(data),
    )
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(head.encode("latin-1") + data)
        connection.recv(4096)


def _wait_for_debugger(config):
    import json
    import os
    import sysconfig

    runtime_dir = os.path.dirname(os.path.abspath(__file__))
    # debugpy reads these when it starts: lambda-ls's runtime frames are never stepped into,
    # and the dependencies count as libraries (not "my code"). They leave the environment
    # once read, as they are not Lambda's.
    libraries = [sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")]
    variables = {
        "PYDEVD_FILTERS": json.dumps({runtime_dir + "/**": True}),
        "LIBRARY_ROOTS": os.pathsep.join([p for p in libraries if p] + config["front"] + config["back"]),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    os.environ.update(variables)
    import debugpy

    host, port = debugpy.listen(("127.0.0.1", config["debug_port"]), in_process_debug_adapter=True)
    for name in variables:
        os.environ.pop(name, None)
    _tell("debugger", {"host": host, "port": port})
    # Returns once a client has attached and sent `configurationDone`.
    debugpy.wait_for_client()
    _tell("debugger-attached", {})


def _main():
    import json

    config = json.loads(sys.argv[1])
    embedded = config["client"] == "embedded"
    if embedded:
        # Imported from the launcher's own folder, before that folder leaves sys.path.
        from lambda_ls_runtime import bootstrap
    handler = config["handler"]
    sys.argv[1:] = [handler]
    sys.path[0:1] = [config["task_root"]] + config["front"]
    sys.path.extend(config["back"])
    if config.get("debug_port") is not None:
        _wait_for_debugger(config)
    if embedded:
        bootstrap.main(handler)
    else:
        import runpy

        runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)


_main()
