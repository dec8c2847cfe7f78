"""moto with authentication on, plus what moto lacks for temporary credentials.

- moto (in this process) checks every S3 request's SigV4 signature and session token
  against the IAM user or assumed role that owns the key (INITIAL_NO_AUTH_ACTION_COUNT=0
  via /moto-api/reset-auth).
- A guard in front of moto adds the two things real AWS does and moto does not:
  * it rejects requests signed with temporary credentials past their Expiration
    (HTTP 400 ExpiredToken, as S3 answers);
  * it accepts STS AssumeRoleWithWebIdentity unsigned (the token is the proof, as on AWS)
    after checking the token, and forwards it to moto signed by an admin user (moto with
    authentication on answers 500 to unsigned calls).
- An instance-metadata stand-in (IMDSv2: a token from PUT /latest/api/token is required
  for every GET) and a container-credentials endpoint (Authorization header required),
  both handing out short-lived credentials minted by moto's STS AssumeRole.

Usage: aws_standin.py MOTO_PORT GUARD_PORT METADATA_PORT DURATION_SECONDS WEB_TOKEN CONTAINER_TOKEN INFO_FILE
The metadata port listens last, once everything is ready; INFO_FILE then holds the admin
keys, the role ARN and the bucket. GET /guard/stats on the guard port reports what it saw;
POST /guard/expire-all expires every key issued so far (as if time had passed);
POST /guard/ensure-role?arn=ARN creates that role (any account) with S3 rights.
"""
import datetime
import http.client
import json
import re
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.server import ThreadedMotoServer

moto_port, guard_port, metadata_port = (int(a) for a in sys.argv[1:4])
duration = int(sys.argv[4])
web_token, container_token, info_file = sys.argv[5:8]
moto_url = f"http://127.0.0.1:{moto_port}"
bucket = "credentials"
role_name = "tributary-writer"

ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False).start()
bootstrap = dict(endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
iam = boto3.client("iam", **bootstrap)
iam.create_user(UserName="admin")
iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
admin_key = iam.create_access_key(UserName="admin")["AccessKey"]
trust_policy = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                   "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]}]})
s3_policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust_policy)["Role"]["Arn"]
iam.put_role_policy(RoleName=role_name, PolicyName="s3", PolicyDocument=s3_policy)
boto3.client("s3", **bootstrap).create_bucket(Bucket=bucket)
conn = http.client.HTTPConnection("127.0.0.1", moto_port)
conn.request("POST", "/moto-api/reset-auth", body=b"0")
assert conn.getresponse().status == 200

admin = Credentials(admin_key["AccessKeyId"], admin_key["SecretAccessKey"])

lock = threading.Lock()
expiry = {}  # temporary access key id -> datetime (UTC)
stats = {"issued": 0, "sts_calls": 0, "expired_rejections": 0, "s3_requests": 0, "keys_used": {},
         "imds_without_token": 0, "container_unauthorized": 0, "bad_web_tokens": 0}


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def register(key, expiration):
    with lock:
        expiry[key] = expiration
        stats["issued"] += 1


def ensure_role(arn):
    """A role able to write S3, in whichever account its ARN names (an ARN from deploy/
    kubernetes, as the cluster's IAM setup would provide it). Made in moto's backend
    directly: its API would ask for credentials of that account, which nobody has."""
    from moto.iam.models import iam_backends
    account, name = arn.split(":")[4], arn.split("/")[-1]
    backend = iam_backends[account]["aws"]
    with lock:
        try:
            backend.get_role(name)
        except Exception:
            backend.create_role(role_name=name, assume_role_policy_document=trust_policy, path="/",
                                permissions_boundary=None, description="", tags=[], max_session_duration=None)
            backend.put_role_policy(name, "s3", s3_policy)


def signed_sts(fields):
    """An STS query-API call to moto signed by admin (boto3 would refuse lifetimes under 900 s)."""
    body = urlencode(fields).encode()
    request = AWSRequest(method="POST", url=moto_url + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(admin, "sts", "us-east-1").add_auth(request)
    return forward("POST", "/", list(request.headers.items()), body)


def credentials_xml(status, data):
    """AccessKeyId, SecretAccessKey, SessionToken and Expiration of an STS answer; registered for the guard."""
    text = data.decode()
    found = {name: re.search(f"<{name}>([^<]+)</{name}>", text) for name in
             ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")}
    if status != 200 or not all(found.values()):
        raise RuntimeError(f"STS answered {status}: {text[:300]}")
    values = {name: match.group(1) for name, match in found.items()}
    register(values["AccessKeyId"], datetime.datetime.fromisoformat(values["Expiration"].replace("Z", "+00:00")))
    return values


def mint():
    """Short-lived credentials of the role, from moto's STS AssumeRole."""
    status, _, data = signed_sts({"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": role_arn,
                                  "RoleSessionName": "standin", "DurationSeconds": str(duration)})
    c = credentials_xml(status, data)
    return {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "Token": c["SessionToken"],
            "Expiration": c["Expiration"]}


def forward(method, path, headers, body):
    upstream = http.client.HTTPConnection("127.0.0.1", moto_port, timeout=60)
    upstream.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers:
        if name.lower() not in ("connection", "content-length", "transfer-encoding"):
            upstream.putheader(name, value)
    upstream.putheader("Content-Length", str(len(body)))
    upstream.endheaders(body)
    response = upstream.getresponse()
    data = response.read()
    # A HEAD answer's Content-Length is the object's size: keep it; otherwise the body's.
    dropped = ("connection", "transfer-encoding", "server", "date") + (() if method == "HEAD" else ("content-length",))
    result = (response.status, [(k, v) for k, v in response.getheaders() if k.lower() not in dropped], data)
    upstream.close()
    return result


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=(), content_type=None):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        if not any(name.lower() == "content-length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_safely(self):
        try:
            self.handle_any()
        except Exception as error:  # a stand-in bug must show up as an answer, not a hang
            self.reply(500, f"stand-in error: {error!r}".encode())

    def do_GET(self):
        self.handle_safely()

    def do_PUT(self):
        self.handle_safely()

    def do_POST(self):
        self.handle_safely()

    def do_DELETE(self):
        self.handle_safely()

    def do_HEAD(self):
        self.handle_safely()


class Guard(Handler):
    def handle_any(self):
        body = self.body()
        if self.path.startswith("/guard/stats"):
            with lock:
                return self.reply(200, json.dumps(stats).encode(), content_type="application/json")
        if self.path.startswith("/guard/ensure-role"):
            ensure_role(parse_qs(urlparse(self.path).query)["arn"][0])
            return self.reply(204)
        if self.path.startswith("/guard/expire-all"):
            with lock:
                for key in expiry:
                    expiry[key] = min(expiry[key], now() - datetime.timedelta(seconds=1))
            return self.reply(204)
        if self.command == "POST" and b"Action=AssumeRoleWithWebIdentity" in body:
            return self.assume_role_with_web_identity(body)
        match = re.search(r"Credential=([^/]+)/", self.headers.get("Authorization", ""))
        key = match.group(1) if match else ""
        with lock:
            stats["s3_requests"] += 1
            stats["keys_used"][key] = stats["keys_used"].get(key, 0) + 1
            expired = key in expiry and now() >= expiry[key]
            if expired:
                stats["expired_rejections"] += 1
        if expired:
            xml = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>ExpiredToken</Code>'
                   b"<Message>The provided token has expired.</Message><RequestId>guard</RequestId></Error>")
            return self.reply(400, xml, content_type="application/xml")
        status, headers, data = forward(self.command, self.path, self.headers.items(), body)
        self.reply(status, data, headers)

    def assume_role_with_web_identity(self, body):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        with lock:
            stats["sts_calls"] += 1
        if form.get("WebIdentityToken") != web_token:
            with lock:
                stats["bad_web_tokens"] += 1
            xml = (b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
                   b"<Message>Couldn't retrieve verification key from your identity provider</Message></Error>"
                   b"<RequestId>guard</RequestId></ErrorResponse>")
            return self.reply(400, xml, content_type="text/xml")
        # Every credential this stand-in hands out lives `duration` seconds, asked or not.
        form["DurationSeconds"] = str(min(int(form.get("DurationSeconds", duration)), duration))
        status, headers, data = signed_sts(form)
        if status == 200:
            credentials_xml(status, data)
        self.reply(status, data, headers)


class Metadata(Handler):
    tokens = set()

    def handle_any(self):
        self.body()
        path = urlparse(self.path).path
        if path == "/latest/api/token" and self.command == "PUT":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.reply(400, b"missing X-aws-ec2-metadata-token-ttl-seconds")
            token = secrets.token_urlsafe(24)
            with lock:
                Metadata.tokens.add(token)
            return self.reply(200, token.encode(), content_type="text/plain")
        if path.startswith("/latest/meta-data/"):
            with lock:
                valid = self.headers.get("X-aws-ec2-metadata-token") in Metadata.tokens
                if not valid:
                    stats["imds_without_token"] += 1
            if not valid:
                return self.reply(401, b"")
            if path == "/latest/meta-data/iam/security-credentials/":
                return self.reply(200, role_name.encode(), content_type="text/plain")
            if path == "/latest/meta-data/iam/security-credentials/" + role_name:
                document = dict(Code="Success", Type="AWS-HMAC", LastUpdated=now().strftime("%Y-%m-%dT%H:%M:%SZ"), **mint())
                return self.reply(200, json.dumps(document).encode(), content_type="text/plain")
            return self.reply(404, b"")
        if path == "/container/credentials" and self.command == "GET":
            if self.headers.get("Authorization") != container_token:
                with lock:
                    stats["container_unauthorized"] += 1
                return self.reply(401, b'{"Code":"Unauthorized","Message":"bad authorization token"}',
                                  content_type="application/json")
            return self.reply(200, json.dumps(mint()).encode(), content_type="application/json")
        self.reply(404, b"")


guard = ThreadingHTTPServer(("127.0.0.1", guard_port), Guard)
threading.Thread(target=guard.serve_forever, daemon=True).start()
with open(info_file, "w") as f:
    json.dump({"admin_key": admin.access_key, "admin_secret": admin.secret_key, "role_arn": role_arn,
               "bucket": bucket}, f)
ThreadingHTTPServer(("127.0.0.1", metadata_port), Metadata).serve_forever()
