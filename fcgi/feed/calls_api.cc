// GET /api/calls and GET /api/calls/{sid}.
#include "feed/calls_api.h"

#include <regex>

#include "feed/call_json.h"
#include "feed/summary.h"

namespace switchboard::feed {

namespace {

constexpr int kMaxLimit = 200;

const char* const kCallStatuses[] = {"queued", "initiated", "ringing", "in-progress", "completed",
                                     "busy",   "failed",    "no-answer", "canceled"};

bool all_digits(const std::string& text, size_t max_length) {
  if (text.empty() || text.size() > max_length) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string encode_cursor(const store::Cursor& cursor) {
  return std::to_string(cursor.started_at_ms) + "-" + std::to_string(cursor.id);
}

std::optional<store::Cursor> decode_cursor(const std::string& text) {
  const size_t dash = text.find('-');
  if (dash == std::string::npos) return std::nullopt;
  const std::string time = text.substr(0, dash);
  const std::string id = text.substr(dash + 1);
  if (!all_digits(time, 15) || !all_digits(id, 18)) return std::nullopt;
  return store::Cursor{std::stoll(time), std::stoll(id)};
}

std::optional<std::int64_t> parse_iso8601(const std::string& text) {
  static const std::regex format(
      "(\\d{4})-(\\d{2})-(\\d{2})"
      "(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?(Z|([+-])(\\d{2}):?(\\d{2})))?");
  std::smatch match;
  if (text.size() > 40 || !std::regex_match(text, match, format)) return std::nullopt;
  std::tm utc{};
  utc.tm_year = std::stoi(match[1]) - 1900;
  utc.tm_mon = std::stoi(match[2]) - 1;
  utc.tm_mday = std::stoi(match[3]);
  if (match[4].matched) {
    utc.tm_hour = std::stoi(match[4]);
    utc.tm_min = std::stoi(match[5]);
    utc.tm_sec = match[6].matched ? std::stoi(match[6]) : 0;
  }
  if (utc.tm_mon < 0 || utc.tm_mon > 11 || utc.tm_mday < 1 || utc.tm_hour > 23 || utc.tm_min > 59 ||
      utc.tm_sec > 59) {
    return std::nullopt;
  }
  const std::tm requested = utc;
  const std::time_t seconds = timegm(&utc);
  // timegm quietly normalises 30 February to 2 March: a date that does not survive the round trip does not exist.
  if (utc.tm_mday != requested.tm_mday || utc.tm_mon != requested.tm_mon) return std::nullopt;
  std::int64_t ms = static_cast<std::int64_t>(seconds) * 1000;
  if (match[7].matched) ms += std::stoi((match[7].str() + "00").substr(0, 3));
  if (match[9].matched) {
    if (std::stoi(match[10]) > 14 || std::stoi(match[11]) > 59) return std::nullopt;
    const int offset_minutes = std::stoi(match[10]) * 60 + std::stoi(match[11]);
    ms -= (match[9] == "+" ? 1 : -1) * static_cast<std::int64_t>(offset_minutes) * 60000;
  }
  return ms;
}

std::variant<store::CallQuery, QueryError> parse_call_query(const http::Params& params) {
  store::CallQuery query;
  for (const auto& [name, value] : params) {
    if (name == "limit") {
      if (!all_digits(value, 3) || std::stoi(value) < 1 || std::stoi(value) > kMaxLimit) {
        return QueryError{"limit must be a whole number from 1 to 200"};
      }
      query.limit = std::stoi(value);
    } else if (name == "cursor") {
      query.after = decode_cursor(value);
      if (!query.after) return QueryError{"cursor is not one this API returned"};
    } else if (name == "status") {
      bool known = false;
      for (const char* status : kCallStatuses) known = known || value == status;
      if (!known) return QueryError{"status must be one of Twilio's call statuses (completed, no-answer, …)"};
      query.status = value;
    } else if (name == "menu_choice") {
      if (value != "forward" && value != "voicemail" && value != "none") {
        return QueryError{"menu_choice must be forward, voicemail or none"};
      }
      query.menu_choice = value;
    } else if (name == "has_voicemail") {
      if (value != "true" && value != "false") return QueryError{"has_voicemail must be true or false"};
      query.has_voicemail = value == "true";
    } else if (name == "outcome") {
      bool known = false;
      for (const char* outcome : store::kOutcomes) known = known || value == outcome;
      if (!known) return QueryError{"outcome must be answered, missed, voicemail, abandoned or in-progress"};
      query.outcome = value;
    } else if (name == "from") {
      static const std::regex number("\\+?[0-9]{1,20}|[A-Za-z0-9:._-]{1,64}");
      if (!std::regex_match(value, number)) return QueryError{"from must be a phone number such as +14155550100"};
      query.from = value;
    } else if (name == "since" || name == "until") {
      const auto instant = parse_iso8601(value);
      if (!instant) return QueryError{name + " must be an ISO 8601 date or time, e.g. 2026-11-26T09:00:00Z"};
      (name == "since" ? query.since_ms : query.until_ms) = instant;
    } else {
      return QueryError{"unknown parameter " + name.substr(0, 40)};
    }
  }
  return query;
}

http::Response store_unavailable() {
  http::Response response = http::Response::json_error(503, "the call log is temporarily unavailable");
  response.headers.emplace_back("Retry-After", "5");
  return response;
}

std::optional<http::Response> require_user(const http::Request& request) {
  if (!request.remote_user.empty()) return std::nullopt;
  // No WWW-Authenticate: Basic — a browser would open its own password dialog instead of the sign-in page.
  return http::Response::json_error(401, "authentication required");
}

std::optional<http::Response> require_admin(const http::Request& request) {
  if (auto refusal = require_user(request)) return refusal;
  if (request.user_role == "admin") return std::nullopt;
  return http::Response::json_error(403, "admins only");
}

http::Response CallsApi::list(const http::Request& request) {
  if (auto refusal = require_user(request)) return *refusal;
  auto parsed = parse_call_query(request.query);
  if (auto* error = std::get_if<QueryError>(&parsed)) return http::Response::json_error(400, error->message);
  const store::CallQuery& query = std::get<store::CallQuery>(parsed);

  // One row more than asked tells whether another page exists without a COUNT.
  store::CallQuery probe = query;
  probe.limit = query.limit + 1;
  std::vector<store::CallRow> calls;
  try {
    calls = store_.list_calls(probe);
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  const bool more = static_cast<int>(calls.size()) > query.limit;
  if (more) calls.pop_back();

  return http::Response::json(200, json_of([&](JsonWriter& writer) {
    writer.StartObject();
    writer.Key("calls");
    writer.StartArray();
    for (const store::CallRow& call : calls) write_call(writer, call);
    writer.EndArray();
    writer.Key("next_cursor");
    if (more) {
      const std::string cursor = encode_cursor({calls.back().started_at_ms, calls.back().id});
      writer.String(cursor.data(), static_cast<rapidjson::SizeType>(cursor.size()));
    } else {
      writer.Null();
    }
    writer.EndObject();
  }));
}

http::Response CallsApi::get(const http::Request& request, const std::string& sid) {
  if (auto refusal = require_user(request)) return *refusal;
  static const std::regex sid_format("[A-Za-z0-9]{1,64}");
  if (!std::regex_match(sid, sid_format)) return http::Response::json_error(404, "no such call");
  std::optional<store::CallRow> call;
  std::vector<store::StoredEvent> events;
  store::CallDetail detail;
  try {
    call = store_.find_call(sid);
    if (call) {
      events = store_.events_of(sid);
      detail = store_.detail_of(sid);
    }
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  if (!call) return http::Response::json_error(404, "no such call");
  return http::Response::json(200, json_of([&](JsonWriter& writer) {
    write_call(writer, *call, &events, &detail);
  }));
}

}  // namespace switchboard::feed

namespace switchboard::feed {

http::Response CallsApi::summary(const http::Request& request) {
  if (auto refusal = require_user(request)) return *refusal;
  store::CallQuery query;
  for (const auto& [name, value] : request.query) {
    if (name != "since" && name != "until") return http::Response::json_error(400, "unknown parameter " + name.substr(0, 40));
    const auto instant = parse_iso8601(value);
    if (!instant) return http::Response::json_error(400, name + " must be an ISO 8601 date or time");
    (name == "since" ? query.since_ms : query.until_ms) = instant;
  }
  if (!query.since_ms) return http::Response::json_error(400, "since is required, e.g. since=2026-11-26T00:00:00Z");

  std::vector<store::HourTally> tallies;
  try {
    tallies = store_.tally_by_hour(*query.since_ms, query.until_ms);
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  return http::Response::json(200, summary_json(summarize(tallies), *query.since_ms));
}

}  // namespace switchboard::feed
