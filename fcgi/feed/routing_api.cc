// /api/routing and /api/routing/history.
#include "feed/routing_api.h"

#include <cctype>
#include <iostream>

#include "feed/account_api.h"
#include "feed/call_json.h"
#include "feed/calls_api.h"
#include "store/call_store.h"

namespace switchboard::feed {

namespace {

constexpr int kMaxHistoryPage = 100;

void write_version(JsonWriter& writer, const routing::Version& version) {
  writer.StartObject();
  writer.Key("version");
  writer.Int64(version.number);
  write_time(writer, "changed_at", version.changed_at_ms);
  write_field(writer, "changed_by", version.changed_by);
  writer.Key("routing");
  const std::string document = routing::to_json(version.routing);
  writer.RawValue(document.data(), document.size(), rapidjson::kObjectType);
  writer.EndObject();
}

http::Response version_response(int status, const routing::Version& version) {
  http::Response response = http::Response::json(status, version_json(version));
  response.headers.emplace_back("ETag", "\"" + std::to_string(version.number) + "\"");
  return response;
}

// If-Match: "3" (or 3, or W/"3"); nullopt when absent or "*". A value of another shape is refused as 400.
struct Expected {
  std::optional<std::int64_t> version;
  bool malformed = false;
};
Expected expected_version(const std::string& header) {
  std::string value = header;
  if (value.empty() || value == "*") return {};
  if (value.rfind("W/", 0) == 0) value = value.substr(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  if (value.empty() || value.size() > 18) return {std::nullopt, true};
  for (const char c : value) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return {std::nullopt, true};
  }
  return {std::stoll(value), false};
}

}  // namespace

std::string version_json(const routing::Version& version) {
  return json_of([&](JsonWriter& writer) { write_version(writer, version); });
}

http::Response RoutingApi::get(const http::Request& request) {
  if (auto refusal = require_user(request)) return *refusal;
  try {
    return version_response(200, changes_.current());
  } catch (const store::Unavailable& error) {
    // The routing in force on this host is the snapshot's: what calls follow while the database is down.
    std::cerr << "switchboard: /api/routing from the snapshot: " << error.what() << "\n";
    return version_response(200, snapshot_.current());
  }
}

http::Response RoutingApi::put(const http::Request& request) {
  if (auto refusal = require_admin(request)) return *refusal;
  if (auto refusal = require_csrf_guard(request)) return *refusal;
  const Expected expected = expected_version(request.if_match);
  if (expected.malformed) return http::Response::json_error(400, "If-Match must be the version number, like \"3\"");
  const routing::Changes::Outcome outcome = changes_.save(request.body, request.remote_user, expected.version);
  switch (outcome.kind) {
    case routing::Changes::Outcome::Kind::kInvalid: {
      const routing::Invalid& invalid = *outcome.invalid;
      return http::Response::json(400, json_of([&](JsonWriter& writer) {
        writer.StartObject();
        write_field(writer, "error", invalid.message());
        write_field(writer, "field", invalid.field);
        writer.EndObject();
      }));
    }
    case routing::Changes::Outcome::Kind::kStale:
      return http::Response::json(409, json_of([&](JsonWriter& writer) {
        writer.StartObject();
        write_field(writer, "error", "the routing was changed meanwhile (now version " +
                                         std::to_string(outcome.version.number) + "): reload it and edit again");
        writer.Key("version");
        writer.Int64(outcome.version.number);
        writer.EndObject();
      }));
    case routing::Changes::Outcome::Kind::kSaved:
      break;
  }
  audit_(request, "routing_changed", std::to_string(outcome.version.number));
  return version_response(200, outcome.version);
}

http::Response RoutingApi::history(const http::Request& request) {
  if (auto refusal = require_user(request)) return *refusal;
  int limit = 20;
  std::optional<std::int64_t> before;
  for (const auto& [name, value] : request.query) {
    const bool digits = !value.empty() && value.size() <= 12 &&
                        value.find_first_not_of("0123456789") == std::string::npos;
    if (name == "limit" && digits && value.size() <= 3 && std::stoi(value) >= 1 &&
        std::stoi(value) <= kMaxHistoryPage) {
      limit = std::stoi(value);
    } else if (name == "before" && digits) {
      before = std::stoll(value);
    } else {
      return http::Response::json_error(400, "history takes limit (1-100) and before (a version number)");
    }
  }
  const std::vector<routing::Version> versions = changes_.history(before, limit);
  return http::Response::json(200, json_of([&](JsonWriter& writer) {
    writer.StartObject();
    writer.Key("versions");
    writer.StartArray();
    for (const routing::Version& version : versions) write_version(writer, version);
    writer.EndArray();
    writer.Key("next_before");
    if (static_cast<int>(versions.size()) == limit) writer.Int64(versions.back().number);
    else writer.Null();
    writer.EndObject();
  }));
}

}  // namespace switchboard::feed
