// JSON for calls and their events. Caller data goes out as JSON strings (RapidJSON escapes it); the page inserts it
// as text, never as HTML.
#include "feed/call_json.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "ivr/routes.h"
#include "store/call_record.h"
#include "store/sql_time.h"
#include "text/utf8.h"

namespace switchboard::feed {

namespace {

// The store writes only valid UTF-8, so a copy is made only for text that is not (a row written some other way).
void write_string(JsonWriter& writer, const std::string& value) {
  if (text::is_valid_utf8(value)) {
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return;
  }
  const std::string clean = text::valid_utf8(value);
  writer.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

void write_field(JsonWriter& writer, const char* key, const std::optional<int>& value) {
  writer.Key(key);
  if (value) writer.Int(*value);
  else writer.Null();
}

}  // namespace

void write_field(JsonWriter& writer, const char* key, const std::optional<std::string>& value) {
  writer.Key(key);
  if (value) write_string(writer, *value);
  else writer.Null();
}

void write_time(JsonWriter& writer, const char* key, const std::optional<std::int64_t>& unix_ms) {
  writer.Key(key);
  if (unix_ms) write_string(writer, iso8601(*unix_ms));
  else writer.Null();
}

std::string json_of(const std::function<void(JsonWriter&)>& write) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  write(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void write_events_array(JsonWriter& writer, const std::vector<store::StoredEvent>& events);
void write_detail(JsonWriter& writer, const store::CallDetail& detail);

std::string iso8601(std::int64_t unix_ms) {
  std::string text = store::to_sql_datetime(unix_ms);  // "2026-11-26 09:00:00.123"
  text[10] = 'T';
  return text + "Z";
}

void write_call(JsonWriter& writer, const store::CallRow& call, const std::vector<store::StoredEvent>* events,
                const store::CallDetail* detail) {
  writer.StartObject();
  writer.Key("sid");
  write_string(writer, call.sid);
  writer.Key("from");
  write_string(writer, call.from);
  writer.Key("to");
  write_string(writer, call.to);
  write_field(writer, "caller_name", call.caller_name);
  write_field(writer, "from_city", call.from_city);
  write_field(writer, "from_state", call.from_state);
  write_field(writer, "from_country", call.from_country);
  writer.Key("status");
  write_string(writer, call.status);
  write_field(writer, "menu_choice", call.menu_choice);
  write_field(writer, "forwarded_to", call.forwarded_to);
  writer.Key("forward_accepted");
  if (call.forward_accepted) writer.Bool(*call.forward_accepted);
  else writer.Null();
  write_field(writer, "dial_status", call.dial_status);
  // Rows folded before talk time required a bridged dial may still hold a declined screen's seconds.
  write_field(writer, "talk_s", call.dial_bridged.value_or(false) ? call.talk_s : std::nullopt);
  write_field(writer, "duration_s", call.duration_s);
  write_time(writer, "started_at", call.started_at_ms);
  write_time(writer, "answered_at", call.answered_at_ms);
  write_time(writer, "ended_at", call.ended_at_ms);
  writer.Key("outcome");
  writer.String(store::outcome_of(call));
  write_field(writer, "routing_rule", call.routing_rule);  // the word calls.outcome holds, which ?outcome= filters on
  writer.Key("voicemail");
  if (!call.recording_sid) {
    writer.Null();
  } else {
    writer.StartObject();
    write_field(writer, "recording_sid", call.recording_sid);
    write_field(writer, "duration_s", call.recording_duration_s);
    write_field(writer, "status", call.recording_status);
    // Our authenticated endpoint, never Twilio's media URL (which needs the account's credentials); none once the
    // purge deleted the audio (fcgi/retention/), so the page shows that instead of a player that cannot play.
    const bool deleted = call.recording_deleted_at_ms.has_value();
    writer.Key("url");
    if (deleted) writer.Null();
    else write_string(writer, "/api/calls/" + call.sid + "/voicemail");
    writer.Key("deleted");
    writer.Bool(deleted);
    write_time(writer, "deleted_at", call.recording_deleted_at_ms);
    // How long the audio was kept: whole days from the call to its deletion (the purge runs daily, so this is the
    // retention limit, or a little more when it did not run for a while).
    writer.Key("kept_days");
    if (deleted) writer.Int64(std::max<std::int64_t>(0, (*call.recording_deleted_at_ms - call.started_at_ms) / 86400000));
    else writer.Null();
    write_time(writer, "deleted_at_twilio", call.recording_deleted_at_twilio_ms);
    writer.Key("heard");
    writer.Bool(call.voicemail_heard_at_ms.has_value());
    write_field(writer, "transcription", call.transcription_text);
    write_field(writer, "transcription_status", call.transcription_status);
    writer.EndObject();
  }
  if (events) {
    writer.Key("events");
    write_events_array(writer, *events);
  }
  if (detail) write_detail(writer, *detail);
  writer.EndObject();
}

void write_detail(JsonWriter& writer, const store::CallDetail& detail) {
  writer.Key("notifications");
  writer.StartArray();
  for (const store::NotificationSummary& notification : detail.notifications) {
    writer.StartObject();
    writer.Key("channel");
    write_string(writer, notification.channel);
    writer.Key("status");
    write_string(writer, notification.status);
    writer.Key("attempts");
    writer.Int(notification.attempts);
    write_time(writer, "sent_at", notification.sent_at_ms);
    write_field(writer, "error", notification.last_error);
    write_field(writer, "message_sid", notification.message_sid);
    write_field(writer, "delivery_status", notification.delivery_status);
    write_field(writer, "delivery_error_code", notification.delivery_error_code);
    write_time(writer, "delivery_updated_at", notification.delivery_updated_at_ms);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("reconciliation");
  if (!detail.reconciliation) {
    writer.Null();
    return;
  }
  const store::ReconcileState& state = *detail.reconciliation;
  writer.StartObject();
  writer.Key("checks");
  writer.Int(state.checks);
  write_time(writer, "last_checked_at", state.last_checked_at_ms);
  write_time(writer, "next_check_at", state.next_check_at_ms);
  writer.Key("result");
  write_string(writer, state.last_result);
  writer.EndObject();
}

void write_events_array(JsonWriter& writer, const std::vector<store::StoredEvent>& events) {
  writer.StartArray();
  for (const store::StoredEvent& event : events) {
    writer.StartObject();
    writer.Key("kind");
    write_string(writer, event.kind);
    // The page shows the step table's name for the event (ivr/routes.h); kinds no step logs have none.
    writer.Key("label");
    if (const char* label = ivr::route::label_of_kind(event.kind)) writer.String(label);
    else writer.Null();
    writer.Key("received_at");
    write_string(writer, iso8601(event.received_at_ms));
    // Which routing rule decided what the caller got at this step (ivr::rule), and its detail.
    write_field(writer, "rule", event.routing_rule);
    write_field(writer, "rule_detail", event.routing_detail);
    writer.Key("params");
    rapidjson::Document params;
    params.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(event.params_json.data(),
                                                                                         event.params_json.size());
    if (params.HasParseError()) writer.Null();
    else params.Accept(writer);
    writer.EndObject();
  }
  writer.EndArray();
}

}  // namespace switchboard::feed
