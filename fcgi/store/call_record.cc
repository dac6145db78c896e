// fold(): how one event changes a call, and the event's deduplication key.
#include "store/call_record.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace switchboard::store {

namespace {

template <typename T>
void fill_if_missing(std::optional<T>& field, const std::optional<T>& value) {
  if (!field && value) field = value;
}

template <typename T>
void overwrite_if_present(std::optional<T>& field, const std::optional<T>& value) {
  if (value) field = value;
}

int recording_status_rank(const std::string& status) {
  if (is_final_recording_status(status)) return 2;
  if (status == "in-progress") return 1;
  return 0;
}

// Whether a status report should replace the current one. Rank decides first; within a rank the higher
// SequenceNumber wins, so two final reports (rare) settle on the one Twilio fired last.
bool status_advances(const CallRow& row, const CallUpdate& update) {
  const int current = row.status.empty() ? -1 : status_rank(row.status);
  const int incoming = status_rank(*update.status);
  if (incoming != current) return incoming > current;
  if (*update.status == row.status) return false;
  return update.status_sequence && row.status_sequence && *update.status_sequence > *row.status_sequence;
}

}  // namespace

std::string Event::dedup_key() const {
  // The same set semantics as the signature (twilio/signature.cc): a pair repeated exactly is one pair there, so it
  // must be one pair here, or a captured request replayed with a pair doubled would pass as a new event. Sorted
  // through pointers (not copies); the bytes hashed are those of the first version of this key, so keys stored
  // before stay comparable.
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  for (const auto& pair : params) sorted.push_back(&pair);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
  sorted.erase(std::unique(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a == *b; }),
               sorted.end());
  // One buffer, one digest call: hashing it piece by piece cost more in EVP_DigestUpdate's calls than in SHA-256.
  std::string material;
  size_t length = call_sid.size() + kind.size() + url_query.size() + 2;
  for (const auto* pair : sorted) length += pair->first.size() + pair->second.size() + 24;
  material.reserve(length);
  // The call is part of the identity: our own events (notification attempts) carry no CallSid parameter.
  material += call_sid;
  material += '\n';
  material += kind;
  material += '?';
  material += url_query;
  char digits[24];
  const auto append_number = [&](size_t number) {
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    material.append(digits, static_cast<size_t>(end - digits));
  };
  for (const auto* pair : sorted) {
    // Lengths first, so "ab"+"c" and "a"+"bc" hash differently.
    material += '\n';
    append_number(pair->first.size());
    material += ':';
    append_number(pair->second.size());
    material += '\n';
    material += pair->first;
    material += pair->second;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(material.data(), material.size(), digest, &digest_length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 unavailable");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex(digest_length * 2, '0');
  for (unsigned int i = 0; i < digest_length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0x0F];
  }
  return hex;
}

int status_rank(const std::string& status) {
  if (status == "queued") return 1;
  if (status == "initiated") return 2;
  if (status == "ringing") return 3;
  if (status == "in-progress") return 4;
  if (is_final_status(status)) return 5;
  return 0;
}

bool is_final_recording_status(const std::string& status) {
  return status == "completed" || status == "failed" || status == "absent";
}

bool is_final_status(const std::string& status) {
  return status == "completed" || status == "busy" || status == "failed" || status == "no-answer" ||
         status == "canceled";
}

const char* outcome_of(const CallRow& call) {
  if (call.routing_rule == std::optional<std::string>(kRuleBlocklist)) return kOutcomeBlocked;
  if (call.dial_bridged.value_or(false)) return kOutcomeAnswered;
  // Twilio reports "absent" when <Record> got no audio (the caller hung up at the beep): no message to hear.
  if (call.recording_sid && call.recording_status != std::optional<std::string>("absent")) return kOutcomeVoicemail;
  if (!is_final_status(call.status) && !call.ended_at_ms) return kOutcomeInProgress;
  // Forwarded by the menu's default, the caller chose nothing: the dial's own traces say it happened.
  const bool forwarded =
      call.menu_choice == std::optional<std::string>("forward") || call.forwarded_to || call.dial_status;
  if (forwarded) return kOutcomeMissed;
  // Hung up in the menu, or during the closed or voicemail prompt before the beep.
  return kOutcomeAbandoned;
}

CallRow new_call(const std::string& sid, std::int64_t received_at_ms) {
  CallRow row;
  row.sid = sid;
  row.started_at_ms = received_at_ms;
  return row;
}

CallRow fold(CallRow row, const CallUpdate& update, std::int64_t received_at_ms) {
  // Who called and from where: the first report wins; later webhooks repeat the same values.
  if (row.from.empty() && update.from) row.from = *update.from;
  if (row.to.empty() && update.to) row.to = *update.to;
  fill_if_missing(row.caller_name, update.caller_name);
  fill_if_missing(row.from_city, update.from_city);
  fill_if_missing(row.from_state, update.from_state);
  fill_if_missing(row.from_country, update.from_country);
  row.started_at_ms = std::min(row.started_at_ms, received_at_ms);

  if (update.status && status_advances(row, update)) {
    row.status = *update.status;
    row.status_sequence = update.status_sequence;
  }
  const std::int64_t status_time = update.status_at_ms.value_or(received_at_ms);
  if (update.status && *update.status == "in-progress" && !row.answered_at_ms) row.answered_at_ms = status_time;
  if (update.status && is_final_status(*update.status) && !row.ended_at_ms) row.ended_at_ms = status_time;
  // Twilio's own CallDuration is the truth; it only comes with a final status. A lookup says the same figure, later:
  // it never replaces what the status callback said.
  if (update.looked_up) fill_if_missing(row.duration_s, update.duration_s);
  else overwrite_if_present(row.duration_s, update.duration_s);

  // The caller's latest decision counts ("9" then "2" is a voicemail).
  overwrite_if_present(row.menu_choice, update.menu_choice);
  overwrite_if_present(row.forwarded_to, update.forwarded_to);
  overwrite_if_present(row.forward_accepted, update.forward_accepted);
  overwrite_if_present(row.dial_status, update.dial_status);
  overwrite_if_present(row.dial_bridged, update.dial_bridged);
  // Talk time exists only once the caller was connected: DialCallDuration of a declined screen or of a personal
  // voicemail is nobody talking to the caller. A row stored before this rule loses such a figure at its next event.
  if (row.dial_bridged == true) overwrite_if_present(row.talk_s, update.talk_s);
  else row.talk_s.reset();

  overwrite_if_present(row.recording_sid, update.recording_sid);
  overwrite_if_present(row.recording_url, update.recording_url);
  if (update.recording_status) {
    const bool advances = !row.recording_status ||
                          recording_status_rank(*update.recording_status) >= recording_status_rank(*row.recording_status);
    if (advances) {
      const bool already_reported = row.recording_status == update.recording_status;
      row.recording_status = update.recording_status;
      // The status callback's duration is final (after trimming); the Record action's is only provisional. A lookup
      // of a status a callback reported already says nothing new.
      if (update.looked_up && already_reported) {
        fill_if_missing(row.recording_duration_s, update.recording_duration_s);
      } else {
        overwrite_if_present(row.recording_duration_s, update.recording_duration_s);
      }
    }
  } else {
    fill_if_missing(row.recording_duration_s, update.recording_duration_s);
  }
  overwrite_if_present(row.transcription_text, update.transcription_text);
  overwrite_if_present(row.transcription_status, update.transcription_status);
  // How the call came in is decided once; a later replay of the same first event says the same.
  fill_if_missing(row.routing_rule, update.routing_rule);
  fill_if_missing(row.text_back, update.text_back);
  return row;
}

}  // namespace switchboard::store
