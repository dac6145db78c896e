// See rules.h.
#include "retention/rules.h"

#include <optional>

namespace switchboard::retention {

std::optional<std::int64_t> cutoff_ms(std::int64_t now_ms, int days) {
  if (days <= 0) return std::nullopt;
  return now_ms - days * kDayMs;
}

bool is_protected(const store::CallRow& call) {
  return call.recording_sid && call.recording_status != std::optional<std::string>("absent") &&
         !call.voicemail_heard_at_ms;
}

bool looks_like_audio(const std::string& head) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
  if (head.size() >= 3 && head.compare(0, 3, "ID3") == 0) return true;
  // An MPEG audio frame starts with 11 set bits (the frame sync), then a version and layer that are not "reserved".
  if (head.size() >= 2 && byte(0) == 0xFF && (byte(1) & 0xE0) == 0xE0 && (byte(1) & 0x18) != 0x08 &&
      (byte(1) & 0x06) != 0x00) {
    return true;
  }
  return head.size() >= 12 && head.compare(0, 4, "RIFF") == 0 && head.compare(8, 4, "WAVE") == 0;
}

std::optional<std::string> unverified_because(std::int64_t local_bytes, const std::string& head,
                                              std::int64_t twilio_bytes) {
  if (local_bytes < 0) return "no local copy";
  if (local_bytes == 0) return "the local copy is empty";
  if (!looks_like_audio(head)) return "the local copy is not an MP3 or WAV file";
  if (local_bytes != twilio_bytes) {
    return "the local copy has " + std::to_string(local_bytes) + " bytes, Twilio's " + std::to_string(twilio_bytes);
  }
  return std::nullopt;
}

}  // namespace switchboard::retention
