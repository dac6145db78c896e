// A server::App of one pool on in-memory stores, in a private state directory, with a clock the test sets: the real
// routing table, handlers, spool and kept requests, no database. A test makes the database unreachable
// (database_reachable, calls.unavailable), has a store refuse (calls.before_record) or the clock fail
// (clock_failures), and signs its webhooks as Twilio would (signed_post).
#pragma once

#include <cctype>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "config/settings.h"
#include "fake_account_store.h"
#include "fake_call_store.h"
#include "fake_routing_store.h"
#include "http/request.h"
#include "ivr/routes.h"
#include "server/app.h"
#include "server/form_parser.h"
#include "settings.h"
#include "temp_dir.h"
#include "twilio/signature.h"

namespace switchboard::test {

inline constexpr std::int64_t kAppNowMs = 1796205600000;  // 2026-12-02T10:00:00Z, a Wednesday

class AppFixture {
 public:
  explicit AppFixture(server::App::Pool pool = server::App::Pool::kWebhooks)
      : settings(in_state_dir(test_settings(), state.path())),
        app(settings, pool, server::App::Stores{calls, routing, accounts, [this] { return database_reachable; }},
            [this] { return now(); }) {}

  // A POST to `step` carrying `form` as Twilio sends it (an urlencoded body, decoded as server::read_request does),
  // with the X-Twilio-Signature Twilio computes for the URL it was given.
  http::Request signed_post(const ivr::route::Step& step, const http::Params& form,
                            const std::string& query = "") const {
    http::Request request;
    request.method = "POST";
    request.path = step.path;
    request.request_uri = query.empty() ? std::string(step.path) : std::string(step.path) + "?" + query;
    if (!query.empty()) request.query = server::parse_urlencoded(query);
    request.content_type = "application/x-www-form-urlencoded";
    request.body = form_encoded(form);
    request.form = server::parse_urlencoded(request.body);
    request.twilio_signature =
        twilio::compute_signature(settings.auth_token, ivr::route::url(settings.public_base_url, step, query), form);
    return request;
  }

  FakeCallStore calls;
  FakeRoutingStore routing;
  FakeAccountStore accounts;
  bool database_reachable = true;
  std::int64_t now_ms = kAppNowMs;
  int clock_failures = 0;  // the next this many reads of the clock throw std::runtime_error
  TempDir state;
  config::Settings settings;
  server::App app;

 private:
  static config::Settings in_state_dir(config::Settings settings, const std::string& state_dir) {
    settings.state_dir = state_dir;
    return settings;
  }

  static std::string form_encoded(const http::Params& params) {
    std::string body;
    for (const auto& [name, value] : params) {
      if (!body.empty()) body += '&';
      body += percent_encoded(name) + "=" + percent_encoded(value);
    }
    return body;
  }
  static std::string percent_encoded(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += {'%', kHex[c >> 4], kHex[c & 0xF]};
      }
    }
    return out;
  }

  std::chrono::system_clock::time_point now() {
    if (clock_failures > 0) {
      --clock_failures;
      throw std::runtime_error("the clock failed (test)");
    }
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms));
  }
};

}  // namespace switchboard::test
