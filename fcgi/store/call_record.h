// The call log's data: an Event is one webhook exactly as Twilio sent it; a CallUpdate is what that event says about
// its call (every field optional: absent means "says nothing"); a CallRow is the folded state of one call. fold() is
// the single place that decides how an event changes a call: idempotent (the same update twice changes nothing)
// and monotonic (a late `ringing` never overwrites `completed`). To record a new fact about calls: a field in
// CallUpdate and CallRow, a rule in fold(), a column in a new schema/ migration and in mysql_call_store.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::store {

using Params = std::vector<std::pair<std::string, std::string>>;

struct Event {
  std::string call_sid;
  std::string kind;             // the endpoint that received it: "voice", "menu", "call-status", …
  std::string url_query;        // our own query string on that URL ("attempt=2"): part of the event's identity
  Params params;                // Twilio's parameters, as received
  std::int64_t received_at_ms;  // Unix time in milliseconds
  // What we answered, where Twilio's parameters do not say it: kept with the event so a replay folds the same way.
  std::optional<std::string> menu_choice;
  std::optional<std::string> forwarded_to;
  // The routing rule that decided the answer ("holiday", "menu-forward", "target-answered", … see ivr::Decision)
  // and its detail (the holiday's date, the number that answered). Not part of the event's identity: a redelivery
  // decided under a changed routing is still the same event.
  std::optional<std::string> routing_rule;
  std::optional<std::string> routing_detail;
  // The routing at the call's start asked for a text to this caller if the call is missed or goes to voicemail.
  std::optional<bool> text_back;

  // SHA-256 (hex) of the call, the kind, the URL query and the set of parameters (sorted, exact repeats counted
  // once, as the signature counts them): a redelivery of the same request has the same key.
  std::string dedup_key() const;
};

// What a MessageStatus callback says about one SMS notification (store/delivery_status.h): it changes the
// notification row, never the call.
struct MessageReceipt {
  std::int64_t notification_id = 0;  // from the StatusCallback URL the notifier gave Twilio
  std::string message_sid;
  std::string status;                // MessageStatus
  std::optional<std::string> error_code;
};

struct CallUpdate {
  std::optional<std::string> from, to, caller_name, from_city, from_state, from_country;
  std::optional<std::string> status;            // Twilio CallStatus
  std::optional<std::int64_t> status_sequence;  // SequenceNumber of a status callback
  std::optional<std::int64_t> status_at_ms;     // Timestamp of a status callback
  std::optional<std::string> menu_choice;       // "forward" or "voicemail"
  std::optional<std::string> forwarded_to;
  std::optional<bool> forward_accepted;         // the screened phone pressed 1 (true) or declined (false)
  std::optional<std::string> dial_status;       // DialCallStatus
  std::optional<bool> dial_bridged;
  std::optional<int> talk_s;                    // DialCallDuration, only when the dial was bridged
  std::optional<int> duration_s;                // CallDuration
  std::optional<std::string> recording_sid, recording_url, recording_status;
  std::optional<int> recording_duration_s;
  std::optional<std::string> transcription_text, transcription_status;
  std::optional<std::string> routing_rule;  // only the call's first decision (the incoming call) says it
  std::optional<bool> text_back;
  // Twilio's REST API, asked later (reconcile/reconciler.h), not a callback: its durations only fill what no
  // callback said, and its status moves the call forward like any other.
  bool looked_up = false;
  std::optional<MessageReceipt> message_receipt;
};

struct CallRow {
  std::int64_t id = 0;  // arrival order; 0 until stored
  std::string sid;
  std::string from, to;
  std::optional<std::string> caller_name, from_city, from_state, from_country;
  std::string status;                           // empty until any event names one
  std::optional<std::int64_t> status_sequence;
  std::optional<std::string> menu_choice, forwarded_to;
  std::optional<bool> forward_accepted;
  std::optional<std::string> dial_status;
  std::optional<bool> dial_bridged;
  std::optional<int> talk_s, duration_s;
  std::int64_t started_at_ms = 0;
  std::optional<std::int64_t> answered_at_ms, ended_at_ms;
  std::optional<std::string> recording_sid, recording_url, recording_status;
  std::optional<int> recording_duration_s;
  std::optional<std::string> transcription_text, transcription_status;
  std::optional<std::int64_t> voicemail_heard_at_ms;
  std::optional<std::string> routing_rule;  // how the call was routed when it came in: blocklist, holiday, away, …
  std::optional<bool> text_back;
  // Set by the purge (fcgi/retention/), never by fold(): the local audio was deleted, Twilio's copy was deleted.
  std::optional<std::int64_t> recording_deleted_at_ms, recording_deleted_at_twilio_ms;
};

// Position of a Twilio call status in a call's life: queued/initiated < ringing < in-progress < any final status.
// Unknown strings rank lowest so they never displace a known status.
int status_rank(const std::string& status);
bool is_final_status(const std::string& status);
// A RecordingStatus no later report changes: completed, failed, absent (nothing was recorded).
bool is_final_recording_status(const std::string& status);

// What happened to a call, in one word for a badge, a filter and the summary's counts.
inline constexpr char kOutcomeAnswered[] = "answered";      // the forward was bridged to the caller
inline constexpr char kOutcomeVoicemail[] = "voicemail";    // the caller left a message
inline constexpr char kOutcomeInProgress[] = "in-progress";  // not over yet
inline constexpr char kOutcomeMissed[] = "missed";          // forwarded (chosen or by the menu's default), no answer
inline constexpr char kOutcomeAbandoned[] = "abandoned";    // hung up before a forward or a message
inline constexpr char kOutcomeBlocked[] = "blocked";        // the blocklist rejected the caller
inline constexpr const char* kOutcomes[] = {kOutcomeAnswered, kOutcomeMissed,     kOutcomeVoicemail,
                                            kOutcomeAbandoned, kOutcomeInProgress, kOutcomeBlocked};
// calls.routing_rule of a call the blocklist rejected.
inline constexpr char kRuleBlocklist[] = "blocklist";

// The outcome of `call`. The database computes the same word into calls.outcome (schema/005_call_outcome.sql, 'blocked' added by 006_routing.sql), which
// the outcome filter and the summary use: the two definitions change together, and an integration test
// (outcome_test.cpp) holds them to the same answer for every shape of row.
const char* outcome_of(const CallRow& call);

// A fresh row for a call first seen at `received_at_ms`.
CallRow new_call(const std::string& sid, std::int64_t received_at_ms);

// `row` after `update`, received at `received_at_ms`.
CallRow fold(CallRow row, const CallUpdate& update, std::int64_t received_at_ms);

}  // namespace switchboard::store
