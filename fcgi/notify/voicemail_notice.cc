// Notification texts and the webhook signature.
#include "notify/voicemail_notice.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "text/utf8.h"

namespace switchboard::notify {

namespace {

constexpr size_t kSmsTranscriptionChars = 300;  // keeps an SMS to a few segments

std::string clock_text(int seconds) {
  return std::to_string(seconds / 60) + ":" + (seconds % 60 < 10 ? "0" : "") + std::to_string(seconds % 60);
}

std::string call_link(const store::CallRow& call, const std::string& feed_url) {
  return feed_url + "#call=" + call.sid;
}

}  // namespace

std::string sms_text(const store::CallRow& call, const std::string& feed_url) {
  std::string who = call.caller_name ? *call.caller_name + " (" + call.from : call.from;
  std::string place;
  if (call.from_city) place = *call.from_city;
  if (call.from_country) place += (place.empty() ? "" : " ") + *call.from_country;
  if (call.caller_name) who += (place.empty() ? "" : ", " + place) + ")";
  else if (!place.empty()) who += " (" + place + ")";
  std::string text = "Voicemail from " + who;
  if (call.recording_duration_s) text += ", " + clock_text(*call.recording_duration_s);
  if (call.transcription_text && !call.transcription_text->empty()) {
    std::string excerpt = text::truncate_utf8(*call.transcription_text, kSmsTranscriptionChars);
    if (excerpt.size() < call.transcription_text->size()) excerpt += "…";
    text += ": \"" + excerpt + "\"";
  }
  return text::valid_utf8(text + " " + call_link(call, feed_url));
}

std::string webhook_json(const store::CallRow& call, const std::string& feed_url, const char* event) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const auto text = [&](const char* key, const std::optional<std::string>& value) {
    writer.Key(key);
    if (!value) {
      writer.Null();
      return;
    }
    const std::string clean = text::valid_utf8(*value);
    writer.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  };
  writer.StartObject();
  text("event", std::string(event));
  text("call_sid", call.sid);
  text("from", call.from);
  text("caller_name", call.caller_name);
  text("from_city", call.from_city);
  text("from_country", call.from_country);
  text("recording_sid", call.recording_sid);
  writer.Key("duration_s");
  if (call.recording_duration_s) writer.Int(*call.recording_duration_s);
  else writer.Null();
  text("transcription", call.transcription_text);
  text("call_url", call_link(call, feed_url));
  text("audio_url", feed_url + "api/calls/" + call.sid + "/voicemail");
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body) {
  const std::string signed_text = std::to_string(unix_seconds) + "." + body;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), digest, &length);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return "t=" + std::to_string(unix_seconds) + ",v1=" + hex;
}

}  // namespace switchboard::notify
