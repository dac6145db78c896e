// The activity feed's JSON API under /api/: list calls (keyset paging, filters), one call with its event timeline,
// the summary, and the list as a CSV file (calls_csv.cc).
// The feed pool authenticates users (session cookie or bearer token) before these run; they still refuse a request
// without a user, so a route wired without authentication fails closed. Every bad parameter is a 400 naming the parameter.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "http/request.h"
#include "http/response.h"
#include "store/call_store.h"

namespace switchboard::feed {

// The query of GET /api/calls decoded and validated, or the message for the 400.
struct QueryError {
  std::string message;
};
std::variant<store::CallQuery, QueryError> parse_call_query(const http::Params& query);

std::string encode_cursor(const store::Cursor& cursor);
std::optional<store::Cursor> decode_cursor(const std::string& text);

// "2026-11-26", "2026-11-26T09:00:00Z", "2026-11-26T10:00:00.5+01:00" → Unix ms.
std::optional<std::int64_t> parse_iso8601(const std::string& text);

class CallsApi {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  explicit CallsApi(store::CallStore& store, Clock clock = [] { return std::chrono::system_clock::now(); })
      : store_(store), clock_(std::move(clock)) {}

  http::Response list(const http::Request& request);
  // GET /api/calls/{sid}
  http::Response get(const http::Request& request, const std::string& sid);
  // GET /api/summary?since=ISO[&until=ISO]
  http::Response summary(const http::Request& request);
  // GET /api/calls.csv?<the filters of /api/calls, without limit and cursor>: every call of the filter, newest
  // first, streamed (calls_csv.cc). The clock names the file. The response's stream reads through this CallsApi
  // and its store, so both must outlive it (the App owns them for the life of the worker).
  http::Response csv(const http::Request& request);

 private:
  store::CallStore& store_;
  Clock clock_;
};

// 401 unless the request carries a signed-in user (server/app.cc fills it from the session or bearer token).
std::optional<http::Response> require_user(const http::Request& request);
// 401 as above, 403 for a signed-in user who is not an admin.
std::optional<http::Response> require_admin(const http::Request& request);

// 503 with Retry-After: the database is down; the page keeps what it shows and retries.
http::Response store_unavailable();

}  // namespace switchboard::feed
