// What each webhook says about its call, read from Twilio's parameters. Shared by the live handlers and the spool
// replay, so an event folded an hour late produces exactly the update it would have produced on time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/call_record.h"

namespace switchboard::webhooks {

// Event kinds, one per endpoint.
namespace kind {
inline constexpr char kVoice[] = "voice";
inline constexpr char kMenu[] = "menu";
inline constexpr char kScreen[] = "screen";
inline constexpr char kScreenResult[] = "screen-result";
inline constexpr char kDialResult[] = "dial-result";
inline constexpr char kVoicemailDone[] = "voicemail-done";
inline constexpr char kRecordingStatus[] = "recording-status";
inline constexpr char kTranscription[] = "transcription";
inline constexpr char kCallStatus[] = "call-status";
}  // namespace kind

// The CallSid an event belongs to: the parent call for events of the forwarded (screening) leg.
std::string owning_call_sid(const std::string& kind, const store::Params& params);

// The update `event` implies (its kind, Twilio's parameters and the decision recorded with it).
store::CallUpdate update_for(const store::Event& event);

// RFC 2822 date as Twilio sends it ("Fri, 20 Aug 2010 01:13:42 +0000") → Unix ms; nullopt when unparsable.
std::optional<std::int64_t> parse_rfc2822(const std::string& text);

}  // namespace switchboard::webhooks
