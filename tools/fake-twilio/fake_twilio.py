#!/usr/bin/env python3
"""A fake of Twilio's REST API on loopback, for the local stack and the tests (no network here, and no real account).

It answers what Switchboard calls, with Twilio's shapes and its HTTP basic auth (account SID + auth token):
  GET  /2010-04-01/Accounts/{AC}/Recordings/{RE}.mp3   a real MP3 (spoken by espeak-ng), 404 for RE000… SIDs
  POST /2010-04-01/Accounts/{AC}/Messages.json         records the SMS, answers a message resource
Every request is appended to requests.jsonl in the state directory, so tests can assert what Twilio received.

usage: fake_twilio.py --port PORT --dir STATE_DIR --account-sid AC… --auth-token-file FILE
"""
import argparse
import base64
import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORDING = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})\.(mp3|wav)$")
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")


def make_audio(directory):
    """A short spoken MP3, made once."""
    mp3 = os.path.join(directory, "voicemail.mp3")
    if not os.path.exists(mp3):
        wav = os.path.join(directory, "voicemail.wav")
        subprocess.run(["espeak-ng", "-w", wav, "Hello, this is a test voicemail for Switchboard. Please call me back."],
                       check=True)
        subprocess.run(["lame", "--quiet", "-b", "32", wav, mp3], check=True)
    with open(mp3, "rb") as f:
        return f.read()


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeTwilio/1.0"

    def log_message(self, fmt, *args):  # keep test output quiet; requests.jsonl is the log
        pass

    def record(self, body):
        entry = {"method": self.command, "path": self.path, "body": body,
                 "authorization": self.headers.get("Authorization", "")}
        with self.server.lock, open(self.server.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def authorized(self, account):
        expected = base64.b64encode(f"{self.server.account_sid}:{self.server.auth_token}".encode()).decode()
        return account == self.server.account_sid and self.headers.get("Authorization") == f"Basic {expected}"

    def reply(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def error(self, status, message):
        self.reply(status, "application/json", json.dumps({"code": 20404 if status == 404 else 20003,
                                                           "message": message, "status": status}).encode())

    def do_GET(self):
        self.record("")
        match = RECORDING.match(self.path)
        if not match:
            return self.error(404, "The requested resource was not found")
        if not self.authorized(match.group(1)):
            return self.error(401, "Authenticate")
        if match.group(2).startswith("RE000"):
            return self.error(404, "The requested resource was not found")
        self.reply(200, "audio/mpeg", self.server.audio)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        self.record(body)
        match = MESSAGES.match(self.path)
        if not match:
            return self.error(404, "The requested resource was not found")
        if not self.authorized(match.group(1)):
            return self.error(401, "Authenticate")
        fields = urllib.parse.parse_qs(body)
        if self.server.fail_next_messages > 0:
            self.server.fail_next_messages -= 1
            return self.error(500, "Internal error (injected by the fake)")
        sid = "SM" + os.urandom(16).hex()
        self.reply(201, "application/json", json.dumps({
            "sid": sid, "status": "queued", "to": fields.get("To", [""])[0], "from": fields.get("From", [""])[0],
            "body": fields.get("Body", [""])[0]}).encode())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token-file", required=True)
    parser.add_argument("--fail-first-messages", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.log_path = os.path.join(args.dir, "requests.jsonl")
    server.account_sid = args.account_sid
    with open(args.auth_token_file) as f:
        server.auth_token = f.read().strip()
    server.audio = make_audio(args.dir)
    server.fail_next_messages = args.fail_first_messages
    print(f"fake Twilio API on http://127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
