// A plain HTTP request as the handlers see it: no FastCGI, no cgicc. server/ fills it from a FastCGI request;
// tests build it by hand. Form and query parameters are already percent-decoded, in the order they arrived.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::http {

using Params = std::vector<std::pair<std::string, std::string>>;

// First value of `name` in `params`, or nullopt when the name is absent (an empty value is present).
std::optional<std::string> find_param(const Params& params, const std::string& name);

// True when a '%' in urlencoded text does not start a two-hex-digit escape. cgicc keeps such text literally; we
// refuse it with 400 instead, so what we store is what the client meant.
bool has_malformed_escape(const std::string& urlencoded);

struct Request {
  std::string method;        // "GET", "POST", …
  std::string path;          // URI path without the query string, e.g. "/twilio/voice"
  std::string request_uri;   // path + "?" + query exactly as the client sent it (signatures cover it verbatim)
  Params query;              // decoded query-string parameters
  Params form;               // decoded application/x-www-form-urlencoded body parameters
  std::string content_type;
  std::string body;          // raw body (JSON endpoints read it)
  std::string twilio_signature;  // X-Twilio-Signature header, empty when absent
  std::string custom_request_header;  // X-Requested-With, used as a CSRF guard on state-changing API calls
  std::string cookie;            // Cookie header
  std::string authorization;     // Authorization header
  std::string remote_addr;       // the client's address as nginx saw it
  std::string range;             // Range header (the audio element's seeking)
  std::string if_match;          // If-Match header: the version an edit was made from (PUT /api/routing)
  // Who the request is, filled by the feed pool's App from a session cookie or a bearer token before any /api/
  // handler runs; empty for anyone else. Never read from the request itself.
  std::string remote_user;
  std::string user_role;         // "viewer" or "admin" when remote_user is set
  // When nginx received it, for a request it kept while no worker answered (replayed later); nullopt = now.
  std::optional<std::int64_t> received_at_ms;

  std::optional<std::string> form_value(const std::string& name) const { return find_param(form, name); }
  std::optional<std::string> query_value(const std::string& name) const { return find_param(query, name); }
};

}  // namespace switchboard::http
