import json


def lambda_handler(event, context):
    name = event.get("name", "world")
    print(f"greeting {name}")
    return {"statusCode": 200, "body": json.dumps({"message": f"hello {name}"})}
