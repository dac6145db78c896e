// Mapping Twilio parameters to call updates, per endpoint.
#include "webhooks/call_update.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "ivr/call_flow.h"
#include "store/rejection.h"
#include "store/sql_time.h"
#include "twilio/params.h"

namespace switchboard::webhooks {

namespace {

namespace param = twilio::param;

std::optional<std::string> value_of(const store::Params& params, const char* name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string> non_empty(const store::Params& params, const char* name) {
  auto value = value_of(params, name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// Whole seconds / sequence numbers; anything else (absent, garbage, absurd) says nothing.
std::optional<std::int64_t> number_of(const store::Params& params, const char* name) {
  auto value = value_of(params, name);
  if (!value || value->empty() || value->size() > 12) return std::nullopt;
  for (char c : *value) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::stoll(*value);
}

std::optional<int> seconds_of(const store::Params& params, const char* name) {
  auto value = number_of(params, name);
  if (!value || *value > 10 * 24 * 3600) return std::nullopt;
  return static_cast<int>(*value);
}

// One parameter of our own query string ("call=CA…&notification=12"): the values we put there are SIDs and
// numbers, which need no decoding.
std::optional<std::string> query_value(const std::string& query, const std::string& name) {
  size_t start = 0;
  while (start <= query.size()) {
    const size_t end = std::min(query.find('&', start), query.size());
    const std::string pair = query.substr(start, end - start);
    if (pair.compare(0, name.size() + 1, name + "=") == 0) return pair.substr(name.size() + 1);
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<store::MessageReceipt> receipt_of(const store::Event& event) {
  store::MessageReceipt receipt;
  const auto id = query_value(event.url_query, "notification");
  if (!id || id->empty() || id->size() > 18 ||
      !std::all_of(id->begin(), id->end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return std::nullopt;
  }
  receipt.notification_id = std::stoll(*id);
  receipt.message_sid = non_empty(event.params, param::kMessageSid).value_or("");
  receipt.status = non_empty(event.params, param::kMessageStatus).value_or("");
  receipt.error_code = non_empty(event.params, param::kErrorCode);
  if (receipt.message_sid.empty() || receipt.status.empty()) return std::nullopt;
  return receipt;
}

bool is_child_leg_kind(const std::string& kind) {
  return kind == kind::kScreen || kind == kind::kScreenResult || kind == kind::kFallbackScreenResult;
}

}  // namespace

std::string owning_call_sid(const std::string& event_kind, const store::Params& params) {
  if (is_child_leg_kind(event_kind)) {
    if (auto parent = non_empty(params, param::kParentCallSid)) return *parent;
  }
  return value_of(params, param::kCallSid).value_or("");
}

std::optional<std::int64_t> parse_rfc2822(const std::string& text) {
  std::tm parsed{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S %z", &parsed);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const long offset = parsed.tm_gmtoff;
  const std::int64_t unix_ms = (static_cast<std::int64_t>(timegm(&parsed)) - offset) * 1000;
  // "Mon, 01 Jan 0000 …" parses; as an answer or end time it would be refused by the database (or read back as
  // nothing) and take the rest of its event with it.
  if (!store::storable_time(unix_ms)) return std::nullopt;
  return unix_ms;
}

store::CallUpdate update_for(const store::Event& event) {
  const store::Params& params = event.params;
  store::CallUpdate update;
  // The timeline's note of a refused event: it carries the event's parameters, but says nothing about the call.
  if (store::is_rejection_marker(event)) return update;
  if (event.kind == kind::kMessageStatus) {
    // About an SMS, not the call.
    update.message_receipt = receipt_of(event);
    return update;
  }
  update.menu_choice = event.menu_choice;
  update.forwarded_to = event.forwarded_to;

  if (is_child_leg_kind(event.kind)) {
    // The forwarded leg's From/To/CallStatus describe that leg, not the caller's call.
    if (event.kind == kind::kScreenResult) {
      update.forward_accepted = value_of(params, param::kDigits).value_or("") == "1";
    } else if (event.kind == kind::kFallbackScreenResult) {
      // nginx's screening step bridged on any key (ivr::fallback_twiml), so any key was an acceptance.
      update.forward_accepted = !value_of(params, param::kDigits).value_or("").empty();
    }
    return update;
  }

  update.from = non_empty(params, param::kFrom);
  update.to = non_empty(params, param::kTo);
  update.caller_name = non_empty(params, param::kCallerName);
  update.from_city = non_empty(params, param::kFromCity);
  update.from_state = non_empty(params, param::kFromState);
  update.from_country = non_empty(params, param::kFromCountry);
  update.status = non_empty(params, param::kCallStatus);
  if (event.kind == kind::kVoice) {
    update.routing_rule = event.routing_rule;
    update.text_back = event.text_back;
  }

  update.looked_up = event.kind == kind::kReconciled;

  if (event.kind == kind::kCallStatus || event.kind == kind::kReconciled) {
    update.status_sequence = number_of(params, param::kSequenceNumber);
    if (auto timestamp = non_empty(params, param::kTimestamp)) update.status_at_ms = parse_rfc2822(*timestamp);
    update.duration_s = seconds_of(params, param::kCallDuration);
  } else if (event.kind == kind::kDialResult) {
    update.dial_status = non_empty(params, param::kDialCallStatus);
    // The same rule the IVR used to choose what the caller hears, so the log never contradicts the call.
    if (update.dial_status) update.dial_bridged = ivr::dial_bridged(*update.dial_status, non_empty(params, param::kDialBridged));
    // DialCallDuration counts the forwarded leg, screening included: a declined screen is seconds of nobody talking.
    if (update.dial_bridged == true) update.talk_s = seconds_of(params, param::kDialCallDuration);
  }
  if (event.kind == kind::kVoicemailDone || event.kind == kind::kRecordingStatus ||
      event.kind == kind::kTranscription || event.kind == kind::kReconciled) {
    update.recording_sid = non_empty(params, param::kRecordingSid);
    update.recording_url = non_empty(params, param::kRecordingUrl);
    if (!update.recording_sid && update.recording_url) {
      // The Record action may omit RecordingSid; it is the URL's last path segment (RE…).
      const std::string& url = *update.recording_url;
      const std::string last = url.substr(url.find_last_of('/') + 1);
      if (last.rfind("RE", 0) == 0) update.recording_sid = last;
    }
    update.recording_duration_s = seconds_of(params, param::kRecordingDuration);
    if (event.kind == kind::kRecordingStatus || event.kind == kind::kReconciled) {
      update.recording_status = non_empty(params, param::kRecordingStatus);
    }
    if (event.kind == kind::kTranscription) {
      update.transcription_text = value_of(params, param::kTranscriptionText);
      update.transcription_status = non_empty(params, param::kTranscriptionStatus);
    }
  }
  return update;
}

}  // namespace switchboard::webhooks
