// What a new voicemail notification says: the SMS text and the webhook's JSON document, and the webhook signature
// a receiver verifies: X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">.
#pragma once

#include <cstdint>
#include <string>

#include "store/call_record.h"

namespace switchboard::notify {

// Voicemail from Ada Lovelace (+14155550101, Paris FR), 0:21: "Call me back…" https://…/#call=CA…
// (straight quotes: curly ones would force the whole SMS into UCS-2 encoding)
std::string sms_text(const store::CallRow& call, const std::string& feed_url);

// {"event":"voicemail","call_sid":…,"from":…,"caller_name":…,"duration_s":…,"transcription":…,"feed_url":…}
// `event` is "voicemail", or kSmsUndeliveredEvent when this is the retry of a voicemail SMS that did not arrive.
inline constexpr char kVoicemailEvent[] = "voicemail";
inline constexpr char kSmsUndeliveredEvent[] = "voicemail.sms_undelivered";
std::string webhook_json(const store::CallRow& call, const std::string& feed_url, const char* event = kVoicemailEvent);

std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body);

}  // namespace switchboard::notify
