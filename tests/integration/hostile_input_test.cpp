// Hostile and broken input gets a clear 4xx and loses nothing: bodies over the limit, malformed escapes, lying
// Content-Length (sent straight to the FastCGI socket, past nginx), replays, non-UTF-8 and oversized values.
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <memory>

#include "support/stack.h"

using namespace integration;

namespace {

Params call_params(const std::string& sid) {
  return {{"AccountSid", stack().account_sid}, {"CallSid", sid},         {"CallStatus", "ringing"},
          {"From", "+14155550401"},            {"To", "+15005550006"}, {"Direction", "inbound"}};
}

// Sends one FastCGI request straight to the workers' socket with libfcgi's cgi-fcgi and returns its output.
// Straight to a pool's socket ("fcgi" the webhook pool, "feed" the feed pool), past nginx.
std::string fastcgi(const std::string& environment, const std::string& body, const std::string& pool = "fcgi") {
  const std::string command = "printf '%s' '" + body + "' | env -i " + environment +
                              " cgi-fcgi -bind -connect " + stack().dir + "/run/" + pool + ".sock 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string output;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) output.append(buffer.data(), n);
  return output;
}

std::string webhook_environment(const std::string& content_length) {
  return "REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=" + content_length +
         " REQUEST_URI=/twilio/voice DOCUMENT_URI=/twilio/voice";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_input)

BOOST_AUTO_TEST_CASE(ABodyOverTheLimitIs413) {
  Params params = call_params(new_call_sid());
  params.emplace_back("Padding", std::string(70 * 1024, 'x'));
  BOOST_TEST(post_webhook("/twilio/voice", params).status == 413);
}

BOOST_AUTO_TEST_CASE(TheFeedTrustsOnlyItsOwnSessionsAndTokens) {
  // Whatever a request says about its user — REMOTE_USER (nginx fills it from any Authorization header, checked or
  // not), the old SWITCHBOARD_FEED_USER parameter, a Basic header — opens nothing: the feed pool decides from a
  // session cookie or a bearer token it finds in its own database. Straight to the socket, past nginx:
  const std::string api = "REQUEST_METHOD=GET REQUEST_URI=/api/calls DOCUMENT_URI=/api/calls";
  for (const std::string& claim : {"REMOTE_USER=" + stack().feed_user, "SWITCHBOARD_FEED_USER=" + stack().feed_user,
                                   std::string("HTTP_AUTHORIZATION=Basic\\ YWRtaW46d3Jvbmc=")}) {
    const std::string forged = fastcgi(api + " " + claim, "", "feed");
    BOOST_TEST(forged.find("Status: 401") != std::string::npos, claim << ": " << forged);
    BOOST_TEST(forged.find("\"calls\"") == std::string::npos);
  }
  const std::string bearer = fastcgi(api + " HTTP_AUTHORIZATION=Bearer\\ " + stack().feed_token, "", "feed");
  BOOST_TEST(bearer.find("Status: 200") != std::string::npos, bearer);
  // The webhook pool serves no feed at all, whoever asks.
  const std::string webhook_pool = fastcgi(api + " HTTP_AUTHORIZATION=Bearer\\ " + stack().feed_token, "");
  BOOST_TEST(webhook_pool.find("Status: 404") != std::string::npos, webhook_pool);
  // And through nginx: a Basic header with a wrong password, or a made-up bearer token, opens nothing.
  for (const std::string& header : {std::string("Authorization: Basic YWRtaW46d3Jvbmc="),  // admin:wrong
                                    "Authorization: Bearer sbt_" + std::string(43, 'A'),
                                    "Cookie: sb_session=" + std::string(43, 'A')}) {
    const HttpResult refused = request("GET", "/api/calls", false, "", {header});
    BOOST_TEST(refused.status == 401, header);
    BOOST_TEST(refused.headers.count("www-authenticate") == 0u);  // no browser password dialog
  }
}

BOOST_AUTO_TEST_CASE(MalformedPercentEscapesAre400AndStoreNothing) {
  const std::string sid = new_call_sid();
  // A signature that looks like one passes nginx; the worker refuses the body before checking it.
  const HttpResult answer = request("POST", "/twilio/voice", false, "CallSid=" + sid + "&From=%zz&To=%4",
                                    {"Content-Type: application/x-www-form-urlencoded",
                                     "X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA="});
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(call_row(sid).empty());
}

BOOST_AUTO_TEST_CASE(WhatCannotBeTwiliosIsRefusedByNginxAndNeverKept) {
  // No signature, or one that is not base64 of a SHA-1: 403 from nginx itself (no worker, nothing kept), even with
  // the pool down, so a flood of them costs nothing and can never fill the disk.
  for (const std::string& header : {std::string(), std::string("X-Twilio-Signature: x"),
                                    std::string("X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                                    std::string("X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAA*=")}) {
    const std::string sid = new_call_sid();
    std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded"};
    if (!header.empty()) headers.push_back(header);
    const HttpResult answer = request("POST", "/twilio/voice", false, "CallSid=" + sid, headers);
    BOOST_TEST(answer.status == 403, header);
    BOOST_TEST(answer.headers.count("x-switchboard-answered-by") == 0u, header);  // not a worker, not a fallback
    BOOST_TEST(answer.body == "missing or malformed X-Twilio-Signature\n");
    BOOST_TEST(call_row(sid).empty());
  }
}

BOOST_AUTO_TEST_CASE(AContentLengthThatLiesIs400AtTheWorker) {
  BOOST_TEST(fastcgi(webhook_environment("5000"), "CallSid=CA1&From=x").find("Status: 400") != std::string::npos);
  BOOST_TEST(fastcgi(webhook_environment("-1"), "CallSid=CA1").find("Status: 400") != std::string::npos);
  BOOST_TEST(fastcgi(webhook_environment("99999999999"), "CallSid=CA1").find("Status: 413") != std::string::npos);
  // The worker that answered is still alive and well.
  BOOST_TEST(post_webhook("/twilio/voice", call_params(new_call_sid())).status == 200);
}

BOOST_AUTO_TEST_CASE(AReplayedRequestIsStoredOnce) {
  const std::string sid = new_call_sid();
  const Params params = call_params(sid);
  BOOST_TEST(post_webhook("/twilio/voice", params).status == 200);
  BOOST_TEST(post_webhook("/twilio/voice", params).status == 200);
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {sid}) == 1);
}

BOOST_AUTO_TEST_CASE(NonUtf8AndOversizedValuesAreStoredSafely) {
  const std::string sid = new_call_sid();
  Params params = call_params(sid);
  params.emplace_back("CallerName", "Jos\xe9 \xff\xfe");  // Latin-1 bytes, not UTF-8
  params.emplace_back("FromCity", std::string(5000, 'A'));
  const HttpResult answer = post_webhook("/twilio/voice", params);
  BOOST_TEST(answer.status == 200);
  const auto row = call_row(sid);
  BOOST_REQUIRE(!row.empty());
  BOOST_TEST(row.at("caller_name") == "Jos\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD");
  BOOST_TEST(row.at("from_city") == std::string(128, 'A'));
  BOOST_TEST(count("SELECT COUNT(*) FROM call_events WHERE call_sid = ?", {sid}) == 1);
}

BOOST_AUTO_TEST_CASE(AFeedParameterOutOfRangeIsAClear400) {
  for (const char* query : {"limit=0", "limit=201", "status=happy", "cursor=abc", "since=yesterday", "bogus=1"}) {
    const HttpResult answer = request("GET", std::string("/api/calls?") + query, true);
    BOOST_TEST(answer.status == 400, query);
    BOOST_TEST(answer.body.find("\"error\"") != std::string::npos, query);
  }
}

BOOST_AUTO_TEST_SUITE_END()
