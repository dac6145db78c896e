// One signed Twilio call through nginx → FastCGI workers → MariaDB, the forged one refused, the feed behind auth.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "support/stack.h"
#include "support/twiml.h"

using namespace integration;

namespace {

Params incoming_call(const std::string& sid) {
  return {{"AccountSid", stack().account_sid}, {"ApiVersion", "2010-04-01"}, {"CallSid", sid},
          {"CallStatus", "ringing"},           {"Direction", "inbound"},     {"From", "+14155550123"},
          {"To", "+15005550006"},              {"FromCity", "OAKLAND"},      {"FromCountry", "US"}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(walking_skeleton)

BOOST_AUTO_TEST_CASE(SignedIncomingCallGetsTheMenuAndIsStored) {
  const std::string sid = new_call_sid();
  HttpResult answer = post_webhook("/twilio/voice", incoming_call(sid));

  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.content_type.rfind("text/xml", 0) == 0);
  BOOST_TEST(answer.headers.count("content-length") == 1);
  BOOST_TEST(answer.headers["content-length"] == std::to_string(answer.body.size()));
  Twiml twiml(answer.body);
  BOOST_REQUIRE(twiml.parsed);
  const pugi::xml_node gather = twiml.response().child("Gather");
  BOOST_REQUIRE(gather);
  BOOST_TEST(std::string(gather.attribute("numDigits").value()) == "1");
  BOOST_TEST(std::string(gather.attribute("action").value()) == stack().base_url + "/twilio/voice/menu?attempt=1");
  BOOST_TEST(std::string(gather.child("Say").text().get()).find("press 1") != std::string::npos);

  const auto row = call_row(sid);
  BOOST_REQUIRE(!row.empty());
  BOOST_TEST(row.at("from_number") == "+14155550123");
  BOOST_TEST(row.at("from_city") == "OAKLAND");
  BOOST_TEST(row.at("status") == "ringing");
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ? AND kind = 'voice'", {sid}) == 1);
}

BOOST_AUTO_TEST_CASE(ForgedSignatureIsRefusedAndLeavesNoTrace) {
  const std::string sid = new_call_sid();
  const std::string forged = "L/OH5YylLD5NRKLltdqwSvS0BnU=";
  const HttpResult answer = post_webhook("/twilio/voice", incoming_call(sid), &forged);
  BOOST_TEST(answer.status == 403);
  BOOST_TEST(call_row(sid).empty());
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {sid}) == 0);

  const std::string none;
  BOOST_TEST(post_webhook("/twilio/voice", incoming_call(sid), &none).status == 403);
  BOOST_TEST(call_row(sid).empty());
}

BOOST_AUTO_TEST_CASE(SignedRequestWithoutCallSidIs400) {
  Params params = incoming_call("unused");
  params.erase(params.begin() + 2);
  const HttpResult answer = post_webhook("/twilio/voice", params);
  BOOST_TEST(answer.status == 400);
}

BOOST_AUTO_TEST_CASE(FeedListsTheCallOnlyWithCredentials) {
  const std::string sid = new_call_sid();
  BOOST_REQUIRE(post_webhook("/twilio/voice", incoming_call(sid)).status == 200);

  BOOST_TEST(request("GET", "/api/calls", false).status == 401);
  const HttpResult listing = request("GET", "/api/calls?limit=200", true);
  BOOST_TEST(listing.status == 200);
  BOOST_TEST(listing.content_type.rfind("application/json", 0) == 0);
  rapidjson::Document json;
  json.Parse(listing.body.c_str());
  BOOST_REQUIRE(json.IsObject());
  BOOST_REQUIRE(json["calls"].IsArray());
  BOOST_REQUIRE(json["calls"].Size() >= 1);
  // Newest first: the call just made is at the top.
  BOOST_TEST(std::string(json["calls"][0]["sid"].GetString()) == sid);
  BOOST_TEST(std::string(json["calls"][0]["from"].GetString()) == "+14155550123");
  // The API's ISO time is the stored DATETIME, in UTC, to the millisecond.
  std::string stored = call_row(sid).at("started_at");  // "2026-11-26 09:00:00.123"
  stored[10] = 'T';
  BOOST_TEST(std::string(json["calls"][0]["started_at"].GetString()) == stored.substr(0, 23) + "Z");
}

BOOST_AUTO_TEST_CASE(UnknownPathIs404AndWrongMethodIs405) {
  const HttpResult missing = request("GET", "/api/nothing-here", true);
  BOOST_TEST(missing.status == 404);
  HttpResult wrong_method = request("DELETE", "/api/calls", true);
  BOOST_TEST(wrong_method.status == 405);
  BOOST_TEST(wrong_method.headers["allow"] == "GET");
  const HttpResult get_webhook =
      request("GET", "/twilio/voice", false, "", {"X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA="});
  BOOST_TEST(get_webhook.status == 405);
}

BOOST_AUTO_TEST_SUITE_END()
