"""Summarise a CSV with pandas: the object named by an S3 event (fetched with requests
through a presigned URL), or the bundled sample when the event names no object."""

import io
import os

import pandas as pd
import requests

SAMPLE = os.path.join(os.path.dirname(__file__), "sample.csv")


def summarise(frame: pd.DataFrame) -> dict:
    numeric = frame.select_dtypes("number")
    return {
        "rows": int(len(frame)),
        "columns": list(frame.columns),
        "totals": {k: round(float(v), 2) for k, v in numeric.sum().items()},
        "means": {k: round(float(v), 2) for k, v in numeric.mean().items()},
    }


def read_csv(event: dict) -> tuple[pd.DataFrame, str]:
    records = event.get("Records") or []
    if records and "s3" in records[0]:
        s3 = records[0]["s3"]
        bucket, key = s3["bucket"]["name"], s3["object"]["key"]
        # A presigned URL (from the event, or the bucket's public URL) keeps the example free
        # of the SDK: the point is a package that ships requests and pandas.
        url = event.get("presigned_url") or f"https://{bucket}.s3.amazonaws.com/{key}"
        response = requests.get(url, timeout=10)
        response.raise_for_status()
        return pd.read_csv(io.StringIO(response.text)), f"s3://{bucket}/{key}"
    return pd.read_csv(SAMPLE), "sample.csv"


def lambda_handler(event, context):
    frame, source = read_csv(event or {})
    summary = summarise(frame)
    summary["source"] = source
    summary["requests_version"] = requests.__version__
    return summary
