// The worker's routing table against the step table: every step Twilio can be sent to is served as a webhook
// (signature checked first), so no step nginx hands out — the fallback's own included — is a 404 on replay.
#include <boost/test/unit_test.hpp>

#include <string>

#include "../support/app_fixture.h"
#include "ivr/routes.h"

namespace {

namespace route = switchboard::ivr::route;
using switchboard::http::Request;

}  // namespace

BOOST_AUTO_TEST_SUITE(server_app_routes)

BOOST_FIXTURE_TEST_CASE(EveryStepIsAWebhookBehindTheSignatureCheck, switchboard::test::AppFixture) {
  for (const route::Step* step : route::kSteps) {
    Request request;
    request.method = "POST";
    request.path = step->path;
    request.request_uri = step->path;
    request.form = {{"CallSid", "CA0123456789abcdef0123456789abcdef"}};
    request.twilio_signature = "forged0000000000000000000000=";
    BOOST_TEST(app.handle(request).status == 403, step->path);  // routed, and refused before anything is stored
    request.method = "GET";
    BOOST_TEST(app.handle(request).status == 405, step->path);
  }
  BOOST_TEST(calls.events_of("CA0123456789abcdef0123456789abcdef").empty());
}

BOOST_AUTO_TEST_SUITE_END()
