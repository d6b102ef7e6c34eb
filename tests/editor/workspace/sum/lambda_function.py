"""GET /sum?a=1&b=2 behind an HTTP API: returns {"sum": 3} as a proxy response."""

import json


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    try:
        a = float(params.get("a", 0))
        b = float(params.get("b", 0))
    except ValueError:
        return {
            "statusCode": 400,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"message": "a and b must be numbers"}),
        }
    total = a + b
    if total.is_integer():
        total = int(total)
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"sum": total}),
    }
