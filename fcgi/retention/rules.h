// The retention rules, as pure functions: where a limit in days puts the cut-off, which calls are never purged, and
// when a cached recording counts as a verified copy of Twilio's (the only case in which Twilio's may be deleted).
// The purge (retention/purge.h) applies them; the store's SQL has the twin of is_protected()
// (store/retention_store.cc, kKeepUnheard): change both together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/call_record.h"

namespace switchboard::retention {

inline constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// Calls started before this are older than `days`; nullopt for 0 days, which means "keep for ever".
std::optional<std::int64_t> cutoff_ms(std::int64_t now_ms, int days);

// An unheard voicemail — a recording Twilio did not report "absent" (the caller left a message), which nobody has
// marked heard — is never purged: neither its call, nor its events, nor its audio, here or at Twilio, whatever its
// age. Whatever the call's outcome too: a call that was answered and then recorded (a declined screen the bridge did
// not count, a replayed event) still holds a message the page shows as unheard.
bool is_protected(const store::CallRow& call);

// Whether `head` (a file's first bytes) starts an MP3 (an ID3 tag or an MPEG audio frame) or a WAV file.
bool looks_like_audio(const std::string& head);

// Why a cached copy is not a verified copy of Twilio's recording, or nullopt when it is: it exists and is not empty,
// it starts like audio, and its size is the size Twilio serves for the same media.
std::optional<std::string> unverified_because(std::int64_t local_bytes, const std::string& head,
                                              std::int64_t twilio_bytes);

}  // namespace switchboard::retention
