def lambda_handler(event, context):
    request_id = context.
    return {"requestId": request_id}
