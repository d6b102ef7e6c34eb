def lambda_handler(event, context):
    bucket = event["Records"][0]["s3"][""]
    return {"bucket": bucket}
