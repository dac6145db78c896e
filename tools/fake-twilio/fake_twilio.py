#!/usr/bin/env python3
"""A fake of Twilio's REST API on loopback, for the local stack and the tests (no network here, and no real account).

It answers what Switchboard calls, with Twilio's shapes and its HTTP basic auth (account SID + auth token):
  GET  /2010-04-01/Accounts/{AC}/Recordings/{RE}.mp3   a real MP3 (spoken by espeak-ng), 404 for RE000… SIDs
                                                         and for deleted ones
  HEAD /2010-04-01/Accounts/{AC}/Recordings/{RE}.mp3   the same answer's headers (Content-Length), no body
  DELETE /2010-04-01/Accounts/{AC}/Recordings/{RE}.json  204; the media is gone afterwards (404), a second DELETE 404
  POST /2010-04-01/Accounts/{AC}/Messages.json         records the SMS (and the message SID it answers with),
                                                         answers a message resource (status queued); with
                                                         --report-deliveries, then POSTs MessageStatus sent and
                                                         delivered to its StatusCallback, signed as Twilio signs
  GET  /2010-04-01/Accounts/{AC}/Calls/{CA}.json        a call registered with /control/calls, else 404 (20404)
  GET  /2010-04-01/Accounts/{AC}/Recordings/{RE}.json   a recording registered with /control/recordings, else 404
  POST /control/calls (sid=CA…&status=…[&duration=…&start_time=…&end_time=…])   tests: what Twilio knows of a call
  POST /control/recordings (sid=RE…&call_sid=CA…&status=…[&duration=…])          tests: … of a recording
  POST /control/fail-messages (match=TEXT&count=N)     tests: fail the next N Messages whose Body contains TEXT
  POST /control/delay (match=TEXT&seconds=S)           tests: answer Messages and webhooks whose body contains TEXT,
                                                         and recording downloads whose path contains it (e.g.
                                                         match=/Recordings/), only after S seconds (a slow Twilio or
                                                         receiver); S=0 undoes it
  POST /hooks/voicemail                                 a notification webhook receiver: verifies the
                                                         X-Switchboard-Signature (HMAC-SHA256) and logs "verified"
  GET  /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers.json[?PhoneNumber=…&PageSize=…]   the account's numbers
  GET  /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers/{PN}.json                           one number
  POST /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers/{PN}.json   updates VoiceUrl, StatusCallback, VoiceReceiveMode,
                                                         ApiVersion, VoiceCallerIdLookup, … (in memory); refuses
                                                         values Twilio refuses (400)
Every request is appended to requests.jsonl in the state directory, so tests can assert what Twilio received.

usage: fake_twilio.py --port PORT --dir STATE_DIR --account-sid AC… --auth-token-file FILE
                      [--incoming-number NUMBER[,field=value…]]…   (default: one number, +15005550006;
                       e.g. +15005550006,api_version=2008-08-01,voice_receive_mode=fax,voice_caller_id_lookup=true)
"""
import argparse
import base64
import hashlib
import hmac
import time
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORDING = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})\.(mp3|wav)$")
CALL_RESOURCE = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Calls/(CA[0-9a-fA-F]{32})\.json$")
RECORDING_RESOURCE = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})\.json$")
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
INCOMING_NUMBERS = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/IncomingPhoneNumbers\.json$")
INCOMING_NUMBER = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/IncomingPhoneNumbers/(PN[0-9a-fA-F]{32})\.json$")

# IncomingPhoneNumber update parameters (form, PascalCase) → resource fields (JSON, snake_case), as in twilio-python.
NUMBER_UPDATE_FIELDS = {
    "FriendlyName": "friendly_name", "VoiceUrl": "voice_url", "VoiceMethod": "voice_method",
    "VoiceFallbackUrl": "voice_fallback_url", "VoiceFallbackMethod": "voice_fallback_method",
    "StatusCallback": "status_callback", "StatusCallbackMethod": "status_callback_method",
    "VoiceApplicationSid": "voice_application_sid", "TrunkSid": "trunk_sid",
    "VoiceCallerIdLookup": "voice_caller_id_lookup", "VoiceReceiveMode": "voice_receive_mode",
    "ApiVersion": "api_version",
}
NUMBER_URL_FIELDS = ("voice_url", "voice_fallback_url", "status_callback")
NUMBER_METHOD_FIELDS = ("voice_method", "voice_fallback_method", "status_callback_method")
# Fields with a closed set of values (twilio-contract.md §13), and the booleans (JSON true/false in the resource).
NUMBER_CHOICE_FIELDS = {"voice_receive_mode": ("voice", "fax"), "api_version": ("2010-04-01", "2008-08-01"),
                        "voice_caller_id_lookup": ("true", "false")}
NUMBER_BOOLEAN_FIELDS = ("voice_caller_id_lookup",)


def incoming_number(account_sid, spec):
    """An IncomingPhoneNumber resource from '+15005550006[,field=value…]' (e.g. voice_application_sid=AP…)."""
    number, *overrides = spec.split(",")
    sid = "PN" + hashlib.md5(number.encode()).hexdigest()
    resource = {
        "sid": sid, "account_sid": account_sid, "phone_number": number, "friendly_name": number,
        "voice_url": "https://demo.twilio.com/welcome/voice/", "voice_method": "POST",
        "voice_fallback_url": None, "voice_fallback_method": "POST",
        "status_callback": None, "status_callback_method": "POST",
        "voice_application_sid": None, "trunk_sid": None, "voice_caller_id_lookup": False,
        "voice_receive_mode": "voice",
        "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False},
        "api_version": "2010-04-01", "date_created": "Mon, 01 Jan 2024 00:00:00 +0000",
        "date_updated": "Mon, 01 Jan 2024 00:00:00 +0000",
        "uri": f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers/{sid}.json",
    }
    for override in overrides:
        field, _, value = override.partition("=")
        resource[field] = (value == "true") if field in NUMBER_BOOLEAN_FIELDS else (value or None)
    return resource


def phone_number_filter(pattern):
    """Twilio's PhoneNumber filter: a partial number, '*' standing for any digit."""
    return re.compile("".join("[0-9]" if c == "*" else re.escape(c) for c in pattern))


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

    def record(self, body, **extra):
        entry = {"method": self.command, "path": self.path, "body": body,
                 "authorization": self.headers.get("Authorization", ""), **extra}
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

    def verify_webhook(self, raw):
        """What a receiver of Switchboard's webhook does: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>."""
        header = self.headers.get("X-Switchboard-Signature", "")
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if not self.server.webhook_secret or "t" not in fields or "v1" not in fields:
            return False
        if abs(time.time() - int(fields["t"])) > 300:  # refuse replays of old deliveries
            return False
        expected = hmac.new(self.server.webhook_secret.encode(), fields["t"].encode() + b"." + raw,
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, fields["v1"])

    def should_fail(self, message):
        with self.server.lock:
            if self.server.fail_next_messages > 0:
                self.server.fail_next_messages -= 1
                return True
            for failure in self.server.failures:
                if failure[1] > 0 and failure[0] in message:
                    failure[1] -= 1
                    return True
        return False

    def delay(self, text):
        """Waits as long as the longest delay registered for a TEXT that `text` contains (each request has its own
        thread: only this answer is late)."""
        with self.server.lock:
            seconds = max([s for match, s in self.server.delays.items() if match in text], default=0)
        if seconds > 0:
            time.sleep(seconds)

    def do_GET(self):
        self.record("")
        path, _, query = self.path.partition("?")
        if INCOMING_NUMBERS.match(path) or INCOMING_NUMBER.match(path):
            return self.get_incoming_numbers(path, urllib.parse.parse_qs(query))
        resource = CALL_RESOURCE.match(path) or RECORDING_RESOURCE.match(path)
        if resource:
            return self.get_resource(resource)
        match = RECORDING.match(self.path)
        if not match:
            return self.error(404, "The requested resource was not found")
        if not self.authorized(match.group(1)):
            return self.error(401, "Authenticate")
        if match.group(2).startswith("RE000") or match.group(2) in self.server.deleted_recordings:
            return self.error(404, "The requested resource was not found")
        self.delay(self.path)
        self.reply(200, "audio/mpeg", self.server.audio)

    def do_HEAD(self):
        """The media's headers (what the retention purge compares its cached copy with), without the body."""
        self.record("")
        match = RECORDING.match(self.path)
        status = 200
        if not match:
            status = 404
        elif not self.authorized(match.group(1)):
            status = 401
        elif match.group(2).startswith("RE000") or match.group(2) in self.server.deleted_recordings:
            status = 404
        self.send_response(status)
        self.send_header("Content-Type", "audio/mpeg" if status == 200 else "application/json")
        self.send_header("Content-Length", str(len(self.server.audio)) if status == 200 else "0")
        self.end_headers()

    def do_DELETE(self):
        """DELETE …/Recordings/{RE}.json: 204, then the recording is gone (its media 404, a second DELETE 404)."""
        match = RECORDING_RESOURCE.match(self.path)
        if not match:
            self.record("", answered=404)
            return self.error(404, "The requested resource was not found")
        if not self.authorized(match.group(1)):
            self.record("", answered=401)
            return self.error(401, "Authenticate")
        with self.server.lock:
            known = not match.group(2).startswith("RE000") and match.group(2) not in self.server.deleted_recordings
            self.server.deleted_recordings.add(match.group(2))
        self.record("", answered=204 if known else 404)
        if not known:
            return self.error(404, "The requested resource was not found")
        self.send_response(204)
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        body = raw.decode("utf-8", "replace")
        if self.path == "/control/fail-messages":
            fields = urllib.parse.parse_qs(body)
            with self.server.lock:
                self.server.failures.append([fields["match"][0], int(fields.get("count", ["1"])[0])])
            return self.reply(204, "text/plain", b"")
        if self.path == "/control/delay":
            fields = urllib.parse.parse_qs(body)
            with self.server.lock:
                self.server.delays[fields["match"][0]] = float(fields["seconds"][0])
            return self.reply(204, "text/plain", b"")
        if self.path in ("/control/calls", "/control/recordings"):
            fields = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
            known = self.server.calls if self.path == "/control/calls" else self.server.recordings
            with self.server.lock:
                known[fields["sid"]] = fields
            return self.reply(204, "text/plain", b"")
        if self.path == "/hooks/voicemail":
            self.delay(body)
            verified = self.verify_webhook(raw)
            self.record(body, verified=verified)
            return self.reply(204 if verified else 401, "text/plain", b"")
        if INCOMING_NUMBER.match(self.path):
            self.record(body)
            return self.update_incoming_number(self.path, urllib.parse.parse_qs(body, keep_blank_values=True))
        match = MESSAGES.match(self.path)
        if not match:
            self.record(body, answered=404)
            return self.error(404, "The requested resource was not found")
        if not self.authorized(match.group(1)):
            self.record(body, answered=401)
            return self.error(401, "Authenticate")
        fields = urllib.parse.parse_qs(body)
        self.delay(fields.get("Body", [""])[0])
        if self.should_fail(fields.get("Body", [""])[0]):
            self.record(body, answered=500)
            return self.error(500, "Internal error (injected by the fake)")
        sid = "SM" + os.urandom(16).hex()
        self.record(body, answered=201, sid=sid)
        callback = fields.get("StatusCallback", [""])[0]
        if self.server.report_deliveries and callback:
            threading.Thread(target=report_delivery, daemon=True,
                             args=(self.server, callback, sid, fields.get("From", [""])[0],
                                   fields.get("To", [""])[0])).start()
        self.reply(201, "application/json", json.dumps({
            "sid": sid, "status": "queued", "to": fields.get("To", [""])[0], "from": fields.get("From", [""])[0],
            "body": fields.get("Body", [""])[0]}).encode())

    def get_resource(self, match):
        """A Call or Recording resource as Twilio's API writes it: durations as strings, dates in RFC 2822, null for
        what is not known yet."""
        if not self.authorized(match.group(1)):
            return self.error(401, "Authenticate")
        sid = match.group(2)
        with self.server.lock:
            known = dict((self.server.calls if sid.startswith("CA") else self.server.recordings).get(sid, {}))
        if not known:
            return self.error(404, "The requested resource was not found")
        if sid.startswith("CA"):
            resource = {"sid": sid, "account_sid": match.group(1), "status": known["status"],
                        "duration": known.get("duration"), "start_time": known.get("start_time"),
                        "end_time": known.get("end_time"), "direction": "inbound", "api_version": "2010-04-01"}
        else:
            resource = {"sid": sid, "account_sid": match.group(1), "call_sid": known.get("call_sid"),
                        "status": known["status"], "duration": known.get("duration"), "channels": 1,
                        "source": "RecordVerb"}
        self.reply(200, "application/json", json.dumps(resource).encode())

    def get_incoming_numbers(self, path, query):
        one = INCOMING_NUMBER.match(path)
        account = one.group(1) if one else INCOMING_NUMBERS.match(path).group(1)
        if not self.authorized(account):
            return self.error(401, "Authenticate")
        with self.server.lock:
            numbers = [dict(n) for n in self.server.incoming_numbers.values()]
        if one:
            found = [n for n in numbers if n["sid"] == one.group(2)]
            if not found:
                return self.error(404, "The requested resource was not found")
            return self.reply(200, "application/json", json.dumps(found[0]).encode())
        if "PhoneNumber" in query:
            pattern = phone_number_filter(query["PhoneNumber"][0])
            numbers = [n for n in numbers if pattern.search(n["phone_number"])]
        page_size = int(query.get("PageSize", ["50"])[0])
        uri = path + ("?" + urllib.parse.urlencode({k: v[0] for k, v in query.items()}) if query else "")
        self.reply(200, "application/json", json.dumps({
            "incoming_phone_numbers": numbers[:page_size], "page": 0, "page_size": page_size, "start": 0,
            "end": max(0, min(len(numbers), page_size) - 1), "uri": uri, "first_page_uri": uri,
            "previous_page_uri": None, "next_page_uri": None}).encode())

    def update_incoming_number(self, path, fields):
        match = INCOMING_NUMBER.match(path)
        if not self.authorized(match.group(1)):
            return self.error(401, "Authenticate")
        changes = {NUMBER_UPDATE_FIELDS[k]: v[0] for k, v in fields.items() if k in NUMBER_UPDATE_FIELDS}
        for field in NUMBER_URL_FIELDS:
            if changes.get(field) and not re.match(r"^https?://[^\s]+$", changes[field]):
                return self.reply(400, "application/json", json.dumps({
                    "code": 21502, "message": f"Invalid {field} URL: {changes[field]}", "status": 400}).encode())
        for field in NUMBER_METHOD_FIELDS:
            if field in changes and changes[field] not in ("GET", "POST"):
                return self.reply(400, "application/json", json.dumps({
                    "code": 21501, "message": f"Invalid {field}: {changes[field]}", "status": 400}).encode())
        for field, allowed in NUMBER_CHOICE_FIELDS.items():
            if field in changes and changes[field] not in allowed:
                return self.reply(400, "application/json", json.dumps({
                    "code": 20001, "message": f"Invalid {field}: {changes[field]}", "status": 400}).encode())
        for field in NUMBER_BOOLEAN_FIELDS:
            if field in changes:
                changes[field] = changes[field] == "true"
        with self.server.lock:
            resource = self.server.incoming_numbers.get(match.group(2))
            if resource is None:
                return self.error(404, "The requested resource was not found")
            for field, value in changes.items():
                resource[field] = value if value != "" else None
            resource["date_updated"] = "Tue, 02 Jan 2024 00:00:00 +0000"
            answer = dict(resource)
        self.reply(200, "application/json", json.dumps(answer).encode())


def twilio_signature(auth_token, url, params):
    """X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + every parameter name and value, sorted by name))."""
    data = url + "".join(name + value for name, value in sorted(params.items()))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def report_delivery(server, callback, sid, sender, recipient):
    """What Twilio does after accepting an SMS sent with a StatusCallback: reports it sent, then delivered (the
    local demo's SMS then read "delivered" in the feed). The callback is the stack's own nginx on loopback, whose
    certificate is self-signed."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for status in ("sent", "delivered"):
        time.sleep(0.5)
        params = {"AccountSid": server.account_sid, "MessageSid": sid, "SmsSid": sid, "MessageStatus": status,
                  "SmsStatus": status, "From": sender, "To": recipient, "ApiVersion": "2010-04-01"}
        request = urllib.request.Request(callback, data=urllib.parse.urlencode(params).encode(), method="POST",
                                         headers={"X-Twilio-Signature": twilio_signature(server.auth_token, callback,
                                                                                         params),
                                                  "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=5, context=context) as answer:
                outcome = answer.status
        except urllib.error.HTTPError as error:
            outcome = error.code
        except OSError as error:
            outcome = str(error)
        with server.lock, open(server.log_path, "a") as f:
            f.write(json.dumps({"method": "CALLBACK", "path": callback, "body": status, "answered": outcome}) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token-file", required=True)
    parser.add_argument("--fail-first-messages", type=int, default=0)
    parser.add_argument("--webhook-secret-file")
    parser.add_argument("--report-deliveries", action="store_true",
                        help="report every SMS sent, then delivered, to its StatusCallback (the local demo)")
    parser.add_argument("--incoming-number", action="append", default=[],
                        help="a number of the account: +15005550006[,field=value…] (repeatable)")
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
    server.failures = []
    server.delays = {}
    server.calls = {}       # CallSid → what /control/calls said Twilio knows of it
    server.recordings = {}  # RecordingSid → …
    server.deleted_recordings = set()
    server.report_deliveries = args.report_deliveries
    server.webhook_secret = ""
    if args.webhook_secret_file:
        with open(args.webhook_secret_file) as f:
            server.webhook_secret = f.read().strip()
    server.incoming_numbers = {}
    for spec in args.incoming_number or ["+15005550006"]:
        resource = incoming_number(args.account_sid, spec)
        server.incoming_numbers[resource["sid"]] = resource
    print(f"fake Twilio API on http://127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
