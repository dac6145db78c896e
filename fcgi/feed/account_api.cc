// /api/session, /api/audit, /api/users.
#include "feed/account_api.h"

#include <rapidjson/document.h>

#include "feed/call_json.h"
#include "feed/calls_api.h"
#include "store/call_store.h"

namespace switchboard::feed {

namespace {

constexpr int kMaxAuditPage = 200;

std::optional<rapidjson::Document> json_body(const http::Request& request) {
  rapidjson::Document body;
  body.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(request.body.data(),
                                                                                     request.body.size());
  if (body.HasParseError() || !body.IsObject()) return std::nullopt;
  return body;
}

std::optional<std::string> string_member(const rapidjson::Document& body, const char* name) {
  if (!body.HasMember(name) || !body[name].IsString()) return std::nullopt;
  return std::string(body[name].GetString(), body[name].GetStringLength());
}

std::string session_cookie(const std::string& value, std::int64_t max_age_s) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age_s) +
         "; HttpOnly; Secure; SameSite=Strict";
}

void write_principal(JsonWriter& writer, const store::Principal& principal) {
  writer.StartObject();
  write_field(writer, "user", principal.name);
  write_field(writer, "role", principal.role);
  write_field(writer, "via", principal.via);
  write_time(writer, "expires_at", principal.expires_at_ms);
  writer.EndObject();
}

int status_of(const auth::Refusal& refusal) {
  switch (refusal.kind) {
    case auth::Refusal::Kind::kInvalid:
      return 400;
    case auth::Refusal::Kind::kDuplicate:
      return 409;
    case auth::Refusal::Kind::kUnknownUser:
      return 404;
  }
  return 400;
}

auth::Actor actor_of(const http::Request& request) { return auth::Actor{request.remote_user, request.remote_addr}; }

}  // namespace

std::optional<std::string> cookie_value(const std::string& header, const std::string& name) {
  size_t position = 0;
  while (position < header.size()) {
    size_t end = header.find(';', position);
    if (end == std::string::npos) end = header.size();
    size_t start = header.find_first_not_of(' ', position);
    if (start < end) {
      const size_t equals = header.find('=', start);
      if (equals < end && header.compare(start, equals - start, name) == 0 && equals - start == name.size()) {
        return header.substr(equals + 1, end - equals - 1);
      }
    }
    position = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> bearer_token(const std::string& header) {
  static const std::string scheme = "Bearer ";
  if (header.size() <= scheme.size() || header.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  return header.substr(scheme.size());
}

std::optional<http::Response> require_csrf_guard(const http::Request& request) {
  const bool json = request.body.empty() || request.content_type.rfind("application/json", 0) == 0;
  if (json && !request.custom_request_header.empty()) return std::nullopt;
  return http::Response::json_error(415, "send Content-Type: application/json and X-Requested-With");
}

std::optional<store::Principal> AccountApi::principal_of(const http::Request& request) {
  // A bearer token is a deliberate choice of the client: when present it alone decides, cookie or not.
  if (!request.authorization.empty()) {
    const std::optional<std::string> token = bearer_token(request.authorization);
    return token ? accounts_.api_token(*token) : std::nullopt;
  }
  const std::optional<std::string> cookie = cookie_value(request.cookie, kSessionCookie);
  return cookie ? accounts_.session(*cookie) : std::nullopt;
}

void AccountApi::authenticate(http::Request& request) {
  request.remote_user.clear();
  request.user_role.clear();
  if (const std::optional<store::Principal> principal = principal_of(request)) {
    request.remote_user = principal->name;
    request.user_role = principal->role;
  }
}

void AccountApi::audit(const http::Request& request, const std::string& action, const std::string& target) {
  accounts_.audit(actor_of(request), action, target);
}

http::Response AccountApi::sign_in(const http::Request& request) {
  if (auto refusal = require_csrf_guard(request)) return *refusal;
  const std::optional<rapidjson::Document> body = json_body(request);
  const std::optional<std::string> user = body ? string_member(*body, "user") : std::nullopt;
  const std::optional<std::string> password = body ? string_member(*body, "password") : std::nullopt;
  if (!user || !password || user->empty() || user->size() > 64 || password->size() > 1024) {
    return http::Response::json_error(400, "body must be {\"user\": \"…\", \"password\": \"…\"}");
  }
  const auth::SignIn outcome = accounts_.sign_in(*user, *password, request.remote_addr);
  switch (outcome.result) {
    case auth::SignIn::Result::kThrottled: {
      const std::int64_t seconds = (outcome.retry_after_ms + 999) / 1000;
      http::Response response = http::Response::json(429, json_of([&](JsonWriter& writer) {
        writer.StartObject();
        write_field(writer, "error", "too many failed sign-ins: try again in " + std::to_string(seconds) + " s");
        writer.Key("retry_after_s");
        writer.Int64(seconds);
        writer.EndObject();
      }));
      response.headers.emplace_back("Retry-After", std::to_string(seconds));
      return response;
    }
    case auth::SignIn::Result::kRefused:
      return http::Response::json_error(401, "wrong user name or password");
    case auth::SignIn::Result::kSignedIn:
      break;
  }
  http::Response response =
      http::Response::json(200, json_of([&](JsonWriter& writer) { write_principal(writer, outcome.principal); }));
  response.headers.emplace_back("Set-Cookie", session_cookie(outcome.session_token, policy_.max_ms / 1000));
  return response;
}

http::Response AccountApi::whoami(const http::Request& request) {
  if (auto refusal = require_user(request)) return *refusal;
  const std::optional<store::Principal> principal = principal_of(request);
  if (!principal) return http::Response::json_error(401, "authentication required");
  return http::Response::json(200, json_of([&](JsonWriter& writer) { write_principal(writer, *principal); }));
}

http::Response AccountApi::sign_out(const http::Request& request) {
  if (auto refusal = require_csrf_guard(request)) return *refusal;
  if (const std::optional<store::Principal> principal = principal_of(request)) {
    accounts_.sign_out(*principal, request.remote_addr);
  }
  // Signing out of a session that already ended is still a success: the cookie goes either way.
  http::Response response = http::Response::empty(204);
  response.headers.emplace_back("Set-Cookie", session_cookie("", 0));
  return response;
}

http::Response AccountApi::audit_log(const http::Request& request) {
  if (auto refusal = require_admin(request)) return *refusal;
  int limit = 50;
  std::optional<std::int64_t> before;
  for (const auto& [name, value] : request.query) {
    const bool digits = !value.empty() && value.size() <= 18 && value.find_first_not_of("0123456789") == std::string::npos;
    if (name == "limit") {
      if (!digits || std::stoll(value) < 1 || std::stoll(value) > kMaxAuditPage) {
        return http::Response::json_error(400, "limit must be a whole number from 1 to 200");
      }
      limit = static_cast<int>(std::stoll(value));
    } else if (name == "cursor") {
      if (!digits) return http::Response::json_error(400, "cursor is not one this API returned");
      before = std::stoll(value);
    } else {
      return http::Response::json_error(400, "unknown parameter " + name.substr(0, 40));
    }
  }
  std::vector<store::AuditEntry> entries;
  try {
    // One more than asked tells whether another page exists.
    entries = accounts_.audit_entries(before, limit + 1);
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  const bool more = static_cast<int>(entries.size()) > limit;
  if (more) entries.pop_back();
  return http::Response::json(200, json_of([&](JsonWriter& writer) {
    writer.StartObject();
    writer.Key("entries");
    writer.StartArray();
    for (const store::AuditEntry& entry : entries) {
      writer.StartObject();
      writer.Key("id");
      writer.Int64(entry.id);
      write_time(writer, "at", entry.at_ms);
      write_field(writer, "user", entry.user);
      write_field(writer, "action", entry.action);
      write_field(writer, "target", entry.target);
      write_field(writer, "detail", entry.detail);
      write_field(writer, "address", entry.address);
      writer.EndObject();
    }
    writer.EndArray();
    write_field(writer, "next_cursor", more ? std::optional<std::string>(std::to_string(entries.back().id)) : std::nullopt);
    writer.EndObject();
  }));
}

http::Response AccountApi::list_users(const http::Request& request) {
  if (auto refusal = require_admin(request)) return *refusal;
  std::vector<store::User> users;
  try {
    users = accounts_.users();
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  return http::Response::json(200, json_of([&](JsonWriter& writer) {
    writer.StartObject();
    writer.Key("users");
    writer.StartArray();
    for (const store::User& user : users) {
      writer.StartObject();
      write_field(writer, "name", user.name);
      write_field(writer, "role", user.role);
      write_time(writer, "created_at", user.created_at_ms);
      write_time(writer, "last_login_at", user.last_login_at_ms);
      writer.Key("api_tokens");
      writer.Int(user.api_tokens);
      writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
  }));
}

http::Response AccountApi::add_user(const http::Request& request) {
  if (auto refusal = require_admin(request)) return *refusal;
  if (auto refusal = require_csrf_guard(request)) return *refusal;
  const std::optional<rapidjson::Document> body = json_body(request);
  const std::optional<std::string> name = body ? string_member(*body, "name") : std::nullopt;
  const std::optional<std::string> role = body ? string_member(*body, "role") : std::nullopt;
  const std::optional<std::string> password = body ? string_member(*body, "password") : std::nullopt;
  if (!name || !role || !password) {
    return http::Response::json_error(400, "body must be {\"name\": …, \"role\": \"viewer\"|\"admin\", \"password\": …}");
  }
  std::optional<auth::Refusal> refused;
  try {
    refused = accounts_.add_user(actor_of(request), *name, *role, *password);
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  if (refused) return http::Response::json_error(status_of(*refused), refused->message);
  return http::Response::json(201, json_of([&](JsonWriter& writer) {
    writer.StartObject();
    write_field(writer, "name", *name);
    write_field(writer, "role", *role);
    writer.EndObject();
  }));
}

http::Response AccountApi::remove_user(const http::Request& request, const std::string& name) {
  if (auto refusal = require_admin(request)) return *refusal;
  if (auto refusal = require_csrf_guard(request)) return *refusal;
  std::optional<auth::Refusal> refused;
  try {
    refused = accounts_.remove_user(actor_of(request), name);
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  if (refused) return http::Response::json_error(status_of(*refused), refused->message);
  return http::Response::empty(204);
}

}  // namespace switchboard::feed
