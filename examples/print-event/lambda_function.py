"""Prints what a handler receives: the event, every attribute of the context object, and the
date, so a local invoke can be compared with the same function on Lambda."""

import datetime
import json


def lambda_handler(event, context):
    print("Event:", json.dumps(event, indent=2))
    print("Context:")
    for name in (
        "function_name",
        "function_version",
        "invoked_function_arn",
        "memory_limit_in_mb",
        "aws_request_id",
        "log_group_name",
        "log_stream_name",
        "identity",
        "client_context",
    ):
        print(f"  {name}: {getattr(context, name)}")
    print(f"  get_remaining_time_in_millis(): {context.get_remaining_time_in_millis()}")
    print("Date:", datetime.datetime.now(datetime.timezone.utc).isoformat())
    return {"event": event, "request_id": context.aws_request_id}
