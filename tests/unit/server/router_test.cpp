// The routing table: exact and prefix routes, 404 and 405 (with Allow) as JSON, and the webhook gate — it runs
// before webhook handlers only, and when it refuses, its refusal is the answer and the handler never runs.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "../support/response.h"
#include "server/router.h"

namespace {

using switchboard::http::Request;
using switchboard::http::Response;
using switchboard::server::Router;
using switchboard::test::header_of;
using switchboard::test::json_error_of;

Request request(const std::string& method, const std::string& path) {
  Request result;
  result.method = method;
  result.path = path;
  result.request_uri = path;
  return result;
}

// A router like the application's, recording which handler ran and how often the gate was asked.
struct Fixture {
  Router router;
  std::vector<std::string> ran;
  int gate_calls = 0;
  bool gate_refuses = false;

  Fixture() {
    router.set_webhook_gate([this](const Request&) -> std::optional<Response> {
      ++gate_calls;
      if (gate_refuses) return Response::text(403, "invalid or missing X-Twilio-Signature\n");
      return std::nullopt;
    });
    router.webhook("/twilio/voice", [this](const Request&) {
      ran.push_back("voice");
      return Response::xml("<Response/>");
    });
    router.webhook("/twilio/voice/menu", [this](const Request&) {
      ran.push_back("menu");
      return Response::xml("<Response/>");
    });
    router.exact("GET", "/api/calls", [this](const Request&) {
      ran.push_back("list");
      return Response::json(200, "{}");
    });
    router.prefix("GET", "/api/calls/", [this](const Request&, const std::string& rest) {
      ran.push_back("call:" + rest);
      return Response::json(200, "{}");
    });
    router.exact("POST", "/api/calls/mark", [this](const Request&) {
      ran.push_back("mark");
      return Response::empty(204);
    });
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(server_router, Fixture)

BOOST_AUTO_TEST_CASE(ExactRouteRunsItsHandler) {
  const Response response = router.dispatch(request("GET", "/api/calls"));
  BOOST_TEST(response.status == 200);
  BOOST_TEST(ran == (std::vector<std::string>{"list"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ExactRouteDoesNotMatchLongerOrShorterPaths) {
  BOOST_TEST(router.dispatch(request("POST", "/twilio/voice/")).status == 404);
  BOOST_TEST(router.dispatch(request("POST", "/twilio")).status == 404);
  BOOST_TEST(router.dispatch(request("POST", "/twilio/voice/menu/x")).status == 404);
  BOOST_TEST(router.dispatch(request("POST", "/TWILIO/VOICE")).status == 404);
  BOOST_TEST(ran.empty());
}

BOOST_AUTO_TEST_CASE(PrefixRouteHandsOverTheRestOfThePath) {
  router.dispatch(request("GET", "/api/calls/CA123"));
  router.dispatch(request("GET", "/api/calls/CA123/voicemail"));
  BOOST_TEST(ran == (std::vector<std::string>{"call:CA123", "call:CA123/voicemail"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(PrefixAloneIsNotAMatch) {
  const Response response = router.dispatch(request("GET", "/api/calls/"));
  BOOST_TEST(response.status == 404);
  BOOST_TEST(ran.empty());
}

BOOST_AUTO_TEST_CASE(EarlierRouteWinsOverPrefix) {
  // "/api/calls/mark" is registered after the prefix, so GET goes to the prefix route …
  router.dispatch(request("GET", "/api/calls/mark"));
  // … and POST, which the prefix route does not serve, reaches the exact one.
  router.dispatch(request("POST", "/api/calls/mark"));
  BOOST_TEST(ran == (std::vector<std::string>{"call:mark", "mark"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(UnknownPathIsJson404) {
  const Response response = router.dispatch(request("GET", "/nope"));
  BOOST_TEST(response.status == 404);
  BOOST_TEST(json_error_of(response, 404) == "not found");
  BOOST_TEST(header_of(response, "Allow") == "");
  BOOST_TEST(gate_calls == 0);
}

BOOST_AUTO_TEST_CASE(WrongMethodIs405WithAllow) {
  const Response api = router.dispatch(request("POST", "/api/calls"));
  BOOST_TEST(api.status == 405);
  BOOST_TEST(json_error_of(api, 405) == "method not allowed");
  BOOST_TEST(header_of(api, "Allow") == "GET");

  const Response webhook = router.dispatch(request("GET", "/twilio/voice"));
  BOOST_TEST(webhook.status == 405);
  BOOST_TEST(header_of(webhook, "Allow") == "POST");
  BOOST_TEST(gate_calls == 0);  // a 405 needs no signature check
  BOOST_TEST(ran.empty());
}

BOOST_AUTO_TEST_CASE(AllowListsEveryMethodOfThePath) {
  router.exact("DELETE", "/api/calls", [](const Request&) { return Response::empty(204); });
  const Response response = router.dispatch(request("PUT", "/api/calls"));
  BOOST_TEST(response.status == 405);
  BOOST_TEST(header_of(response, "Allow") == "GET, DELETE");
}

BOOST_AUTO_TEST_CASE(GateRunsBeforeWebhookHandler) {
  const Response response = router.dispatch(request("POST", "/twilio/voice"));
  BOOST_TEST(response.status == 200);
  BOOST_TEST(gate_calls == 1);
  BOOST_TEST(ran == (std::vector<std::string>{"voice"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(GateRefusalIsTheAnswerAndHandlerNeverRuns) {
  gate_refuses = true;
  const Response response = router.dispatch(request("POST", "/twilio/voice/menu"));
  BOOST_TEST(response.status == 403);
  BOOST_TEST(response.body == "invalid or missing X-Twilio-Signature\n");
  BOOST_TEST(gate_calls == 1);
  BOOST_TEST(ran.empty());
}

BOOST_AUTO_TEST_CASE(GateDoesNotGuardOtherRoutes) {
  gate_refuses = true;
  BOOST_TEST(router.dispatch(request("GET", "/api/calls")).status == 200);
  BOOST_TEST(router.dispatch(request("GET", "/api/calls/CA1")).status == 200);
  BOOST_TEST(router.dispatch(request("POST", "/api/calls/mark")).status == 204);
  BOOST_TEST(gate_calls == 0);
  BOOST_TEST(ran.size() == 3u);
}

BOOST_AUTO_TEST_CASE(WebhooksRunWithoutGateWhenNoneIsSet) {
  Router bare;
  int handled = 0;
  bare.webhook("/twilio/voice", [&](const Request&) {
    ++handled;
    return Response::xml("<Response/>");
  });
  BOOST_TEST(bare.dispatch(request("POST", "/twilio/voice")).status == 200);
  BOOST_TEST(handled == 1);
}

BOOST_AUTO_TEST_SUITE_END()
