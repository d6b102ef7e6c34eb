def lambda_handler(event, context):
    source = event["Records"][0]["s3"][""]
    return {"source": source}
