// What operations sees: the health check (no credentials, no data) and the pool's Prometheus metrics.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <regex>

#include "support/stack.h"

using namespace integration;

BOOST_AUTO_TEST_SUITE(observability)

BOOST_AUTO_TEST_CASE(HealthCheckNeedsNoCredentialsAndTellsNothingElse) {
  const HttpResult health = request("GET", "/healthz", false);
  BOOST_TEST(health.status == 200);
  rapidjson::Document json;
  json.Parse(health.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  BOOST_TEST(std::string(json["status"].GetString()) == "ok");
  BOOST_TEST(json["reasons"].IsArray());
  BOOST_TEST(json["reasons"].Size() == 0u);
  BOOST_TEST(std::string(json["database"].GetString()) == "reachable");
  for (const char* figure : {"spool_bytes", "dead_letter_events", "kept_requests", "kept_dead_letters"}) {
    BOOST_TEST(json[figure].IsUint64(), figure);
  }
  BOOST_TEST(json["keeping_paused"].IsFalse());
  // States and counts only: no paths, no versions, no call data.
  BOOST_TEST(json.MemberCount() == 8u);
  const HttpResult ready = request("GET", "/readyz", false);
  BOOST_TEST(ready.status == 200);
  BOOST_TEST(ready.body == R"({"status":"ready","database":"reachable"})");
}

BOOST_AUTO_TEST_CASE(MetricsCountTheWholePoolsRequests) {
  const auto value = [](const std::string& text, const std::string& series) -> long {
    const size_t at = text.find(series + " ");
    return at == std::string::npos ? -1 : std::stol(text.substr(at + series.size() + 1));
  };
  const std::string series = "switchboard_requests_total{route=\"/twilio/voice\",status=\"2xx\"}";
  const long before = value(request("GET", "/metrics", false).body, series);
  for (int i = 0; i < 6; ++i) {  // several requests, so more than one worker answers
    BOOST_REQUIRE(post_webhook("/twilio/voice", {{"CallSid", new_call_sid()}, {"From", "+14155550501"},
                                                 {"To", "+15005550006"}, {"CallStatus", "ringing"}})
                      .status == 200);
  }
  const HttpResult metrics = request("GET", "/metrics", false);  // from 127.0.0.1: allowed without credentials
  BOOST_TEST(metrics.status == 200);
  BOOST_TEST(metrics.content_type.rfind("text/plain", 0) == 0);
  BOOST_TEST(value(metrics.body, series) == std::max(before, 0L) + 6);
  BOOST_TEST(metrics.body.find("switchboard_request_duration_seconds_bucket{route=\"/twilio/voice\",le=\"+Inf\"}") !=
             std::string::npos);
  BOOST_TEST(metrics.body.find("switchboard_spool_bytes ") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
