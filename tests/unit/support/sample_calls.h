// Calls as the store holds them, for tests of the feed: a completed voicemail and a forwarded call the owner
// answered. Tests add the fields their scenario is about.
#pragma once

#include <cstdint>
#include <string>

#include "store/call_record.h"

namespace switchboard::test {

inline constexpr char kSampleRecordingSid[] = "RE0123456789abcdef0123456789abcdef";

// Pressed 2, left 12 s ("Call me back"), hung up 30 s after the call started.
inline store::CallRow voicemail_call(const std::string& sid, std::int64_t started_at_ms) {
  store::CallRow call;
  call.sid = sid;
  call.from = "+14155550124";
  call.to = "+14155550199";
  call.status = "completed";
  call.menu_choice = "voicemail";
  call.recording_sid = kSampleRecordingSid;
  call.recording_status = "completed";
  call.recording_duration_s = 12;
  call.transcription_text = "Call me back";
  call.started_at_ms = started_at_ms;
  call.ended_at_ms = started_at_ms + 30000;
  return call;
}

// Pressed 1, the forwarded phone took the call, 42 s of talk.
inline store::CallRow answered_call(const std::string& sid, std::int64_t started_at_ms) {
  store::CallRow call;
  call.sid = sid;
  call.from = "+14155550123";
  call.to = "+14155550199";
  call.status = "completed";
  call.menu_choice = "forward";
  call.dial_bridged = true;
  call.talk_s = 42;
  call.started_at_ms = started_at_ms;
  return call;
}

}  // namespace switchboard::test
