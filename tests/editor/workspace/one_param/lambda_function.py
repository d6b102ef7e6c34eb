def lambda_handler(event):
    return {"statusCode": 200}
