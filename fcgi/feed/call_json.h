// The call object of the JSON API, one writer for the list and the single call. Field names are the contract with
// the page and API users (issue "the whole call"): sid, from, to, caller_name, from_city, from_state, from_country,
// status, menu_choice, forwarded_to, dial_status, talk_s, duration_s, started_at, ended_at, voicemail, outcome.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/call_store.h"

namespace switchboard::feed {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// ISO 8601 UTC with milliseconds: 2026-11-26T09:00:00.123Z
std::string iso8601(std::int64_t unix_ms);

// The text of the JSON document `write` writes.
std::string json_of(const std::function<void(JsonWriter&)>& write);

// "key": value, or "key": null for nullopt. Text is made valid UTF-8 first; times are ISO 8601 as above. The other
// JSON documents of the API (sessions, the audit log, users) write their members with these too.
void write_field(JsonWriter& writer, const char* key, const std::optional<std::string>& value);
void write_time(JsonWriter& writer, const char* key, const std::optional<std::int64_t>& unix_ms);

// With `events`, the object also carries "events": the call's webhooks in arrival order. With `detail`,
// "notifications" (each with its SMS delivery status) and "reconciliation" (the last lookup in Twilio's API, or null).
void write_call(JsonWriter& writer, const store::CallRow& call,
                const std::vector<store::StoredEvent>* events = nullptr, const store::CallDetail* detail = nullptr);

}  // namespace switchboard::feed
