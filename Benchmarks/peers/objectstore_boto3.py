"""boto3 peer of `tributary-bench objectstore`: the same PUT/GET workload against the same
moto_server, timed the same way. Prints one JSON object: phase -> seconds.

usage: objectstore_boto3.py ENDPOINT BUCKET CONCURRENCY LARGE_COUNT LARGE_SIZE SMALL_COUNT SMALL_SIZE
"""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

endpoint, bucket = sys.argv[1], sys.argv[2]
concurrency, large_count, large_size, small_count, small_size = map(int, sys.argv[3:8])

# boto3 as it is usually configured: defaults, a pool large enough for the threads.
s3 = boto3.client(
    "s3", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="test", aws_secret_access_key="test",
    config=Config(max_pool_connections=max(10, concurrency)))

large = bytes((i * 7 + 3) & 0xFF for i in range(256)) * (large_size // 256)
small = large[:small_size]
prefix = f"boto3-c{concurrency}/"


def run(fn, keys):
    start = time.perf_counter()
    if concurrency == 1:
        for k in keys:
            fn(k)
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(fn, keys))
    return time.perf_counter() - start


def put(body):
    return lambda k: s3.put_object(Bucket=bucket, Key=k, Body=body)


def get(size):
    def g(k):
        data = s3.get_object(Bucket=bucket, Key=k)["Body"].read()
        assert len(data) == size
    return g


def delete(keys):
    for i in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})


result = {}
large_keys = [f"{prefix}large/{i}" for i in range(large_count)]
result["put_large"] = run(put(large), large_keys)
result["get_large"] = run(get(large_size), large_keys)
delete(large_keys)
small_keys = [f"{prefix}small/{i}" for i in range(small_count)]
result["put_small"] = run(put(small), small_keys)
result["get_small"] = run(get(small_size), small_keys)
delete(small_keys)
print(json.dumps(result))
