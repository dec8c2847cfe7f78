#!/usr/bin/env python3
"""A Kafka SASL gateway for the tests: enforces SASL in front of a plaintext broker.

Tansu 0.6 with --authentication rejects every client (even ApiVersions) and its
`tansu user create` stores nothing, and no other Kafka broker installs here, so this
gateway is the server that enforces SASL in the SASL tests. It speaks as much of the Kafka
protocol as a SASL listener does before authentication, then forwards bytes both ways:

- ApiVersions (before authentication): forwarded to the broker, its answer extended with
  SaslHandshake (17) v0-1 and SaslAuthenticate (36) v0-2 when the broker lists neither;
- SaslHandshake v0/v1: the mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512;
- SaslAuthenticate v0-v2 (after handshake v1) or raw length-framed tokens (after v0);
- PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, RFC 7677) checked against salted
  credentials from a JSON file (written by `add-user`; no password is stored);
- a wrong credential gets SASL_AUTHENTICATION_FAILED (58) and the connection closes, as
  Kafka does; any other request before authentication closes it too.

Usage:
  sasl_gateway.py add-user USERS.json NAME PASSWORD
  sasl_gateway.py serve --listen PORT --upstream HOST:PORT --users USERS.json
Standard library only.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import struct
import sys
import threading

API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 17, 36
UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, SASL_AUTHENTICATION_FAILED = 33, 34, 58
HASHES = {"SCRAM-SHA-256": hashlib.sha256, "SCRAM-SHA-512": hashlib.sha512}
MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
ITERATIONS = 4096


class AuthenticationFailed(Exception):
    pass


# --- credentials ------------------------------------------------------------------------

def scram_keys(mechanism, password, salt, iterations):
    digest = HASHES[mechanism]
    salted = hashlib.pbkdf2_hmac(digest().name, password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", digest).digest()
    return digest(client_key).digest(), hmac.new(salted, b"Server Key", digest).digest()


def add_user(path, name, password):
    users = load_users(path) if os.path.exists(path) else {}
    entry = {}
    for mechanism in HASHES:
        salt = secrets.token_bytes(16)
        stored, server = scram_keys(mechanism, password, salt, ITERATIONS)
        entry[mechanism] = {"salt": b64(salt), "iterations": ITERATIONS,
                            "stored_key": b64(stored), "server_key": b64(server)}
    users[name] = entry
    with open(path, "w") as f:
        json.dump(users, f, indent=1)


def load_users(path):
    with open(path) as f:
        return json.load(f)


def b64(data):
    return base64.b64encode(data).decode()


def check_plain(users, token):
    """RFC 4616: [authzid] NUL authcid NUL passwd, checked against the SCRAM-SHA-256 keys."""
    parts = token.split(b"\0")
    if len(parts) != 3:
        raise AuthenticationFailed("malformed PLAIN message")
    _, name, password = (p.decode("utf-8", "replace") for p in parts)
    entry = users.get(name, {}).get("SCRAM-SHA-256")
    if entry is None:
        raise AuthenticationFailed("Invalid username or password")
    stored, _ = scram_keys("SCRAM-SHA-256", password, base64.b64decode(entry["salt"]), entry["iterations"])
    if not hmac.compare_digest(stored, base64.b64decode(entry["stored_key"])):
        raise AuthenticationFailed("Invalid username or password")
    return name


class Scram:
    """One SCRAM exchange (server side): client-first → server-first, client-final → server-final."""

    def __init__(self, mechanism, users):
        self.mechanism, self.users, self.step = mechanism, users, 0

    def respond(self, message):
        self.step += 1
        text = message.decode("utf-8", "replace")
        return self.first(text) if self.step == 1 else self.final(text)

    def first(self, text):
        gs2_flag, authzid, bare = (text.split(",", 2) + ["", ""])[:3]
        if gs2_flag not in ("n", "y") or not bare:
            raise AuthenticationFailed("malformed SCRAM client-first message")
        attributes = dict(item.split("=", 1) for item in bare.split(",") if "=" in item)
        name = attributes.get("n", "").replace("=2C", ",").replace("=3D", "=")
        self.gs2_header = f"{gs2_flag},{authzid},"
        self.client_first_bare = bare
        self.name = name
        self.entry = self.users.get(name, {}).get(self.mechanism)
        # An unknown user still gets a server-first message (no user enumeration).
        salt = base64.b64decode(self.entry["salt"]) if self.entry else secrets.token_bytes(16)
        iterations = self.entry["iterations"] if self.entry else ITERATIONS
        self.nonce = attributes.get("r", "") + secrets.token_urlsafe(18)
        self.server_first = f"r={self.nonce},s={b64(salt)},i={iterations}"
        return self.server_first.encode()

    def final(self, text):
        without_proof, _, proof = text.rpartition(",p=")
        attributes = dict(item.split("=", 1) for item in without_proof.split(",") if "=" in item)
        if (self.entry is None or attributes.get("r") != self.nonce
                or attributes.get("c") != b64(self.gs2_header.encode())):
            raise AuthenticationFailed("Invalid username or password")
        digest = HASHES[self.mechanism]
        auth_message = f"{self.client_first_bare},{self.server_first},{without_proof}".encode()
        stored_key = base64.b64decode(self.entry["stored_key"])
        signature = hmac.new(stored_key, auth_message, digest).digest()
        client_key = bytes(a ^ b for a, b in zip(base64.b64decode(proof), signature))
        if not hmac.compare_digest(digest(client_key).digest(), stored_key):
            raise AuthenticationFailed("Invalid username or password")
        server_signature = hmac.new(base64.b64decode(self.entry["server_key"]), auth_message, digest).digest()
        return f"v={b64(server_signature)}".encode()


# --- wire format --------------------------------------------------------------------------

class Reader:
    def __init__(self, data, offset=0):
        self.data, self.offset = data, offset

    def take(self, count):
        chunk = self.data[self.offset:self.offset + count]
        if len(chunk) != count:
            raise ValueError("short frame")
        self.offset += count
        return chunk

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        value, shift = 0, 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def string(self):
        length = self.int16()
        return None if length < 0 else self.take(length).decode()

    def bytes32(self):
        length = self.int32()
        return b"" if length < 0 else self.take(length)

    def compact_bytes(self):
        length = self.uvarint() - 1
        return b"" if length < 0 else self.take(length)

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def uvarint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def nullable_string(text, flexible):
    if text is None:
        return b"\0" if flexible else struct.pack(">h", -1)
    data = text.encode()
    return uvarint(len(data) + 1) + data if flexible else struct.pack(">h", len(data)) + data


def read_frame(sock):
    header = recv_exactly(sock, 4)
    return None if header is None else recv_exactly(sock, struct.unpack(">i", header)[0])


def recv_exactly(sock, count):
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def send_frame(sock, payload):
    sock.sendall(struct.pack(">i", len(payload)) + payload)


def patched_api_versions(response, version):
    """The broker's ApiVersions answer with SaslHandshake and SaslAuthenticate listed."""
    flexible = version >= 3
    reader = Reader(response, 4)  # correlation id; ApiVersions answers keep header v0
    error = reader.int16()
    if error != 0:
        return response
    count = reader.uvarint() - 1 if flexible else reader.int32()
    entries = {}
    for _ in range(count):
        key, low, high = reader.int16(), reader.int16(), reader.int16()
        if flexible:
            reader.skip_tags()
        entries[key] = (low, high)
    entries.setdefault(SASL_HANDSHAKE, (0, 1))
    entries.setdefault(SASL_AUTHENTICATE, (0, 2))
    body = bytearray(response[:6])
    body += uvarint(len(entries) + 1) if flexible else struct.pack(">i", len(entries))
    for key, (low, high) in sorted(entries.items()):
        body += struct.pack(">hhh", key, low, high) + (b"\0" if flexible else b"")
    return bytes(body) + response[reader.offset:]


# --- one client connection ------------------------------------------------------------------

class Connection:
    def __init__(self, client, upstream_address, users):
        self.client, self.users = client, users
        self.upstream = socket.create_connection(upstream_address)
        self.mechanism = self.exchange = None
        self.raw_tokens = False

    def run(self):
        try:
            if self.authenticate():
                self.forward()
        except (OSError, ValueError):
            pass
        finally:
            for sock in (self.client, self.upstream):
                sock.close()

    def authenticate(self):
        """Answers the client until it authenticates (True) or must be dropped (False)."""
        while True:
            frame = read_frame(self.client)
            if frame is None:
                return False
            if self.raw_tokens:
                return self.raw_token(frame)
            reader = Reader(frame)
            api_key, version, correlation = reader.int16(), reader.int16(), reader.int32()
            reader.string()  # client id
            if api_key == API_VERSIONS:
                send_frame(self.upstream, frame)
                answer = read_frame(self.upstream)
                if answer is None:
                    return False
                send_frame(self.client, patched_api_versions(answer, version))
            elif api_key == SASL_HANDSHAKE and self.mechanism is None:
                mechanism = reader.string()
                ok = mechanism in MECHANISMS
                body = struct.pack(">hi", 0 if ok else UNSUPPORTED_SASL_MECHANISM, len(MECHANISMS))
                body += b"".join(nullable_string(m, False) for m in MECHANISMS)
                send_frame(self.client, struct.pack(">i", correlation) + body)
                if not ok:
                    return False
                self.mechanism, self.raw_tokens = mechanism, version == 0
                self.exchange = None if mechanism == "PLAIN" else Scram(mechanism, self.users)
            elif api_key == SASL_AUTHENTICATE and self.mechanism is not None:
                flexible = version >= 2
                if flexible:
                    reader.skip_tags()
                token = reader.compact_bytes() if flexible else reader.bytes32()
                done, answer, error = self.step(token)
                header = struct.pack(">i", correlation) + (b"\0" if flexible else b"")
                body = struct.pack(">h", 0 if error is None else SASL_AUTHENTICATION_FAILED)
                body += nullable_string(None if error is None else f"Authentication failed: {error}", flexible)
                body += (uvarint(len(answer) + 1) if flexible else struct.pack(">i", len(answer))) + answer
                if version >= 1:
                    body += struct.pack(">q", 0)  # session lifetime: no re-authentication
                send_frame(self.client, header + body + (b"\0" if flexible else b""))
                if error is not None:
                    return False
                if done:
                    return True
            else:
                return False  # Kafka drops any other request before authentication

    def raw_token(self, token):
        """After SaslHandshake v0 the tokens come framed by a length only (no Kafka header)."""
        done, answer, error = self.step(token)
        if error is not None:
            return False
        send_frame(self.client, answer)
        return done or self.authenticate()

    def step(self, token):
        """(authenticated, server token, error)."""
        try:
            if self.exchange is None:
                check_plain(self.users, token)
                return True, b"", None
            answer = self.exchange.respond(token)
            return self.exchange.step == 2, answer, None
        except AuthenticationFailed as failure:
            return False, b"", str(failure)

    def forward(self):
        def pump(source, target):
            try:
                while data := source.recv(65536):
                    target.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (source, target):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pump, args=(self.upstream, self.client), daemon=True)
        back.start()
        pump(self.client, self.upstream)
        back.join()


def serve(port, upstream, users_path):
    host, _, upstream_port = upstream.rpartition(":")
    users = load_users(users_path)
    listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
    while True:
        client, _ = listener.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle, args=(client, (host, int(upstream_port)), users), daemon=True).start()


def handle(client, upstream, users):
    try:
        connection = Connection(client, upstream, users)
    except OSError:
        client.close()  # the broker is gone: the client sees the connection drop
        return
    connection.run()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user")
    add.add_argument("users")
    add.add_argument("name")
    add.add_argument("password")
    run = commands.add_parser("serve")
    run.add_argument("--listen", type=int, required=True)
    run.add_argument("--upstream", required=True)
    run.add_argument("--users", required=True)
    arguments = parser.parse_args()
    if arguments.command == "add-user":
        add_user(arguments.users, arguments.name, arguments.password)
    else:
        serve(arguments.listen, arguments.upstream, arguments.users)


if __name__ == "__main__":
    sys.exit(main())
