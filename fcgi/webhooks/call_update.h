// What each webhook says about its call, read from Twilio's parameters. Shared by the live handlers and the spool
// replay, so an event folded an hour late produces exactly the update it would have produced on time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ivr/routes.h"
#include "store/call_record.h"

namespace switchboard::webhooks {

// Event kinds, one per endpoint, as named in the step table (ivr/routes.h).
namespace kind {
inline constexpr const char* kVoice = ivr::route::kVoice.kind;
inline constexpr const char* kMenu = ivr::route::kMenu.kind;
inline constexpr const char* kScreen = ivr::route::kScreen.kind;
inline constexpr const char* kScreenResult = ivr::route::kScreenResult.kind;
inline constexpr const char* kFallbackScreenResult = ivr::route::kFallbackScreenResult.kind;
inline constexpr const char* kDialResult = ivr::route::kDialResult.kind;
inline constexpr const char* kVoicemailDone = ivr::route::kVoicemailDone.kind;
inline constexpr const char* kRecordingStatus = ivr::route::kRecordingStatus.kind;
inline constexpr const char* kTranscription = ivr::route::kTranscription.kind;
inline constexpr const char* kCallStatus = ivr::route::kCallStatus.kind;
inline constexpr const char* kMessageStatus = ivr::route::kMessageStatus.kind;
inline constexpr const char* kReconciled = ivr::route::kReconciledKind;
}  // namespace kind

// The CallSid an event belongs to: the parent call for events of the forwarded (screening) leg.
std::string owning_call_sid(const std::string& kind, const store::Params& params);

// The update `event` implies (its kind, Twilio's parameters and the decision recorded with it).
store::CallUpdate update_for(const store::Event& event);

// RFC 2822 date as Twilio sends it ("Fri, 20 Aug 2010 01:13:42 +0000") → Unix ms; nullopt when unparsable.
std::optional<std::int64_t> parse_rfc2822(const std::string& text);

}  // namespace switchboard::webhooks
