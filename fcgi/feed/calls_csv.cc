// CSV fields and rows, and GET /api/calls.csv: the filter's calls read in keyset pages and written out as each page
// arrives, so an export of a year of calls holds one page in memory, never the file.
//
// Formula injection: a spreadsheet runs a cell that starts with = + - or @ as a formula (some skip a leading TAB or
// CR first), and a formula can fetch URLs or, through DDE, start programs. Such a cell gets a leading apostrophe, the
// spreadsheets' own "this is text" mark (OWASP's advice). Phone numbers are the one exception, in the columns that
// hold them: an E.164 number starts with '+', and "'+14155550100" would break every program that reads the file
// and every lookup against the numbers. A '+' followed by digits and nothing else cannot name a function, a cell or
// a program: the worst a spreadsheet does with it is read it as the number 14155550100. So a value of exactly that
// shape stays as it is in from/to/forwarded_to; anything else there ("+1 555=…", "-1", "@x") is defused like text.
#include "feed/calls_csv.h"

#include <iostream>

#include "feed/call_json.h"
#include "feed/calls_api.h"
#include "store/sql_time.h"
#include "text/utf8.h"

namespace switchboard::feed {

namespace {

// Enough rows to keep the per-query cost small, few enough that a page is a few hundred KB at most.
constexpr int kExportPage = 500;

bool starts_a_formula(std::string_view value) {
  if (value.empty()) return false;
  switch (value.front()) {
    case '=': case '+': case '-': case '@': case '\t': case '\r': return true;
    default: return false;
  }
}

bool is_e164(std::string_view value) {
  if (value.size() < 2 || value.size() > 16 || value.front() != '+') return false;
  for (char c : value.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string field_of(const std::optional<std::string>& value, CellKind kind = CellKind::kText) {
  return value ? csv_field(*value, kind) : std::string();
}

std::string field_of(const std::optional<int>& value) {
  return value ? csv_field(std::to_string(*value)) : std::string();
}

std::string time_of(const std::optional<std::int64_t>& unix_ms) {
  return unix_ms ? iso8601(*unix_ms) : std::string();
}

std::string row_of(const std::vector<std::string>& fields) {
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) row += ',';
    row += fields[i];
  }
  return row + "\r\n";
}

}  // namespace

std::string csv_field(std::string_view value, CellKind kind) {
  std::string text = text::valid_utf8(std::string(value));
  if (starts_a_formula(text) && !(kind == CellKind::kPhoneNumber && is_e164(text))) text.insert(0, 1, '\'');
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_header() {
  return row_of({"sid", "started_at", "answered_at", "ended_at", "outcome", "status", "from", "to", "caller_name",
                 "from_city", "from_state", "from_country", "menu_choice", "forwarded_to", "dial_status", "talk_s",
                 "duration_s", "voicemail_duration_s", "voicemail_heard", "transcription"});
}

std::string csv_row(const store::CallRow& call) {
  // The same values the JSON gives (call_json.cc): talk time only for a bridged forward, voicemail fields only
  // when there is a recording.
  const bool has_voicemail = call.recording_sid.has_value();
  return row_of({
      csv_field(call.sid),
      time_of(call.started_at_ms),
      time_of(call.answered_at_ms),
      time_of(call.ended_at_ms),
      store::outcome_of(call),
      csv_field(call.status),
      csv_field(call.from, CellKind::kPhoneNumber),
      csv_field(call.to, CellKind::kPhoneNumber),
      field_of(call.caller_name),
      field_of(call.from_city),
      field_of(call.from_state),
      field_of(call.from_country),
      field_of(call.menu_choice),
      field_of(call.forwarded_to, CellKind::kPhoneNumber),
      field_of(call.dial_status),
      field_of(call.dial_bridged.value_or(false) ? call.talk_s : std::nullopt),
      field_of(call.duration_s),
      has_voicemail ? field_of(call.recording_duration_s) : std::string(),
      has_voicemail ? std::string(call.voicemail_heard_at_ms ? "true" : "false") : std::string(),
      has_voicemail ? field_of(call.transcription_text) : std::string(),
  });
}

std::string csv_file_name(std::int64_t unix_ms) {
  std::string stamp = store::to_sql_datetime(unix_ms).substr(0, 19);  // "2026-11-26 09:00:00"
  std::string compact;
  for (char c : stamp) {
    if (c == ' ') compact += 'T';
    else if (c != '-' && c != ':') compact += c;
  }
  return "calls-" + compact + "Z.csv";
}

http::Response CallsApi::csv(const http::Request& request) {
  if (auto refusal = require_user(request)) return *refusal;
  for (const auto& [name, value] : request.query) {
    if (name == "limit" || name == "cursor") {
      return http::Response::json_error(400, name + " does not apply to the export: it holds every call of the filter");
    }
  }
  auto parsed = parse_call_query(request.query);
  if (auto* error = std::get_if<QueryError>(&parsed)) return http::Response::json_error(400, error->message);
  store::CallQuery query = std::get<store::CallQuery>(parsed);
  query.limit = kExportPage;

  // The first page before the headers: a database that is down is still a 503 the page can report, not an empty
  // file that looks like "no calls".
  std::vector<store::CallRow> first;
  try {
    first = store_.list_calls(query);
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }

  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
  http::Response response;
  response.status = 200;
  response.content_type = "text/csv; charset=utf-8";
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + csv_file_name(now_ms) + "\"");
  response.stream = [this, query, first = std::move(first)](const http::BodyWriter& write) mutable {
    store::CallQuery next = query;
    std::vector<store::CallRow> page = std::move(first);
    std::string chunk = csv_header();
    for (;;) {
      for (const store::CallRow& call : page) chunk += csv_row(call);
      if (!write(chunk)) return;  // the client went away
      chunk.clear();
      if (static_cast<int>(page.size()) < kExportPage) return;
      next.after = store::Cursor{page.back().started_at_ms, page.back().id};
      try {
        page = store_.list_calls(next);
      } catch (const store::Unavailable& error) {
        // The status line is long gone: the file itself must say it is cut short, in a row a person sees.
        std::cerr << "switchboard: CSV export cut short: " << error.what() << "\n";
        write(row_of({"ERROR", csv_field("export incomplete: the call log stopped answering; download it again")}));
        return;
      }
    }
  };
  return response;
}

}  // namespace switchboard::feed
