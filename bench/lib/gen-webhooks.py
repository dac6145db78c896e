#!/usr/bin/env python3
"""Pre-signs incoming-call webhooks for the wrk load (bench/lib/wrk-post.lua).

Twilio signs HMAC-SHA1(auth token, URL + every POST parameter name+value sorted by name), base64. Computing that in
Lua inside wrk would cost the client CPU the server needs on a 2-core box, so every request is signed here, once.

Output (text, one request a line after the header, so a wrk thread keeps only its share in memory):
  line 1:  TEMPLATE <tab> part0 <tab> part1 <tab> part2 <tab> part3   (body = part0 SID part1 FROM part2 FROM part3)
  line 2+: <CallSid> <From, form-encoded> <X-Twilio-Signature>
Line i (0-based after the header) carries CallSid "CA" + prefix + i zero-padded to 32 characters, so the rows of
a run are one range on the calls_sid index: the bench counts them with
  SELECT COUNT(*) FROM calls WHERE sid BETWEEN sid(first) AND sid(last).
"""
import argparse
import base64
import hashlib
import hmac
import sys
import urllib.parse

SID_PREFIX = "b"  # seeded feed calls use "a": the two never collide


def call_sid(index: int) -> str:
    return "CA" + SID_PREFIX + f"{index:031d}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--url", required=True, help="the public URL Twilio signs, e.g. https://127.0.0.1:8443/twilio/voice")
    ap.add_argument("--auth-token", required=True)
    ap.add_argument("--account-sid", required=True)
    ap.add_argument("--to", default="+15005550006")
    args = ap.parse_args()

    # The parameters Twilio sends with an inbound call (CallToken left out), in a fixed order; SID and FROM vary.
    fixed = [
        ("AccountSid", args.account_sid), ("ApiVersion", "2010-04-01"), ("CallSid", "{SID}"),
        ("CallStatus", "ringing"), ("Called", args.to), ("CalledCity", ""), ("CalledCountry", "US"),
        ("CalledState", "CA"), ("CalledZip", ""), ("Caller", "{FROM}"), ("CallerCity", "SAN FRANCISCO"),
        ("CallerCountry", "US"), ("CallerState", "CA"), ("CallerZip", "94105"), ("Direction", "inbound"),
        ("From", "{FROM}"), ("FromCity", "SAN FRANCISCO"), ("FromCountry", "US"), ("FromState", "CA"),
        ("FromZip", "94105"), ("StirVerstat", "TN-Validation-Passed-A"), ("To", args.to), ("ToCity", ""),
        ("ToCountry", "US"), ("ToState", "CA"), ("ToZip", ""),
    ]
    body = "&".join(
        f"{name}={value if value.startswith('{') else urllib.parse.quote(value, safe='')}" for name, value in fixed)
    head, rest = body.split("{SID}")
    mid, rest = rest.split("{FROM}", 1)
    mid2, tail = rest.split("{FROM}", 1)

    # The signed string is the same for every request except SID and FROM: sort once, fill in per request.
    ordered = sorted(fixed, key=lambda item: item[0])
    key = args.auth_token.encode()
    with open(args.out, "w") as out:
        out.write("\t".join(["TEMPLATE", head, mid, mid2, tail]) + "\n")
        for i in range(args.count):
            sid = call_sid(i)
            number = f"+1415{(i * 7919) % 10_000_000:07d}"
            data = args.url + "".join(
                name + (sid if value == "{SID}" else number if value == "{FROM}" else value) for name, value in ordered)
            signature = base64.b64encode(hmac.new(key, data.encode(), hashlib.sha1).digest()).decode()
            out.write(f"{sid} {urllib.parse.quote(number, safe='')} {signature}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
