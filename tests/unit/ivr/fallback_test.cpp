// Every step's answer when no worker can give one (nginx's pool-down answer and the worker's safety net), checked
// for every step of the table: nobody is dialled twice, the forwarded phone's leg never gets the voicemail, and the
// TwiML only sends Twilio to URLs nginx answers by itself (or to callbacks, which nginx keeps).
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include "../support/settings.h"
#include "../support/twiml.h"
#include "ivr/call_flow.h"
#include "ivr/routes.h"

namespace {

namespace ivr = switchboard::ivr;
namespace route = switchboard::ivr::route;
using route::Fallback;
using switchboard::test::attr;
using switchboard::test::kBaseUrl;
using switchboard::test::kForwardTo;
using switchboard::test::test_settings;
using switchboard::test::text_of;
using switchboard::test::Twiml;

std::string fallback_of(const route::Step& step, const switchboard::config::Settings& settings = test_settings()) {
  const auto twiml = ivr::fallback_twiml(settings, switchboard::test::routing_of(settings), step.fallback);
  BOOST_REQUIRE_MESSAGE(twiml.has_value(), step.path << " has no TwiML fallback");
  return *twiml;
}

// Every URL the document hands Twilio (action, url, Redirect text, callbacks).
void collect_urls(const pugi::xml_node& node, std::set<std::string>& urls) {
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    for (const char* name : {"action", "url", "recordingStatusCallback", "transcribeCallback", "statusCallback"}) {
      if (!child.attribute(name).empty()) urls.insert(attr(child, name));
    }
    if (std::string(child.name()) == "Redirect") urls.insert(text_of(child));
    collect_urls(child, urls);
  }
}

// The same, as paths under the public base URL.
std::set<std::string> urls_in(const pugi::xml_node& node) {
  std::set<std::string> urls;
  collect_urls(node, urls);
  std::set<std::string> paths;
  for (const std::string& url : urls) {
    BOOST_TEST(url.rfind(kBaseUrl, 0) == 0, url << " is not under the public base URL");
    paths.insert(url.substr(std::string(kBaseUrl).size()));
  }
  return paths;
}

int count_of(const pugi::xml_node& node, const char* verb) {
  int found = 0;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::string(child.name()) == verb) ++found;
    found += count_of(child, verb);
  }
  return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ivr_fallbacks)

BOOST_AUTO_TEST_CASE(EveryFallbackSendsTwilioOnlyWhereNginxAnswersWithoutAWorker) {
  for (const route::Step* step : route::kSteps) {
    if (step->fallback == Fallback::kAcknowledge) continue;
    const Twiml twiml(fallback_of(*step));
    for (const std::string& path : urls_in(twiml.response())) {
      const route::Step* target = route::find(path);
      BOOST_REQUIRE_MESSAGE(target != nullptr, step->path << " sends Twilio to " << path << ", which is no step");
      // Either nginx answers it by itself, or it is a callback (Twilio ignores its answer; nginx keeps it).
      BOOST_TEST((target->nginx_answers || !target->answers_twiml),
                 step->path << "'s fallback needs a worker at " << path);
    }
  }
}

BOOST_AUTO_TEST_CASE(IncomingCallAndMenuForwardOnceThenTakeAVoicemail) {
  for (const route::Step* step : {&route::kVoice, &route::kMenu}) {
    const Twiml twiml(fallback_of(*step));
    BOOST_TEST(twiml.verbs() == "Say Dial Say Record Say Hangup");
    const pugi::xml_node dial = twiml.verb(1);
    BOOST_TEST(!dial.attribute("action"));  // Twilio goes on with the voicemail whatever the outcome
    BOOST_TEST(text_of(dial.child("Number")) == kForwardTo);
    // Screened by nginx's own screening step, so a personal voicemail cannot take the call.
    BOOST_TEST(attr(dial.child("Number"), "url") == std::string(kBaseUrl) + route::kFallbackScreen.path);
    BOOST_TEST(attr(twiml.verb(3), "action") == std::string(kBaseUrl) + route::kFallbackVoicemailDone.path);
  }
}

BOOST_AUTO_TEST_CASE(WithoutScreeningTheFallbackForwardIsNotScreened) {
  auto settings = test_settings();
  settings.ivr.screening = false;
  const Twiml twiml(fallback_of(route::kVoice, settings));
  BOOST_TEST(!twiml.verb(1).child("Number").attribute("url"));
}

BOOST_AUTO_TEST_CASE(TheForwardedLegIsScreenedByAnyKeyAndNeverGetsTheVoicemail) {
  for (const route::Step* step : {&route::kScreen, &route::kFallbackScreen}) {
    const Twiml twiml(fallback_of(*step));
    BOOST_TEST(twiml.verbs() == "Gather Hangup");  // no key: a mailbox answered, hang up this leg only
    const pugi::xml_node gather = twiml.verb(0);
    BOOST_TEST(attr(gather, "numDigits") == "1");
    BOOST_TEST(attr(gather, "action") == std::string(kBaseUrl) + route::kFallbackScreenResult.path);
    BOOST_TEST(text_of(gather.child("Say")) == "Call for Acme Plumbing. Press any key to accept.");
    BOOST_TEST(count_of(twiml.response(), "Record") == 0);
    BOOST_TEST(count_of(twiml.response(), "Dial") == 0);
  }
}

BOOST_AUTO_TEST_CASE(AKeyPressedOnTheForwardedLegBridges) {
  for (const route::Step* step : {&route::kScreenResult, &route::kFallbackScreenResult}) {
    BOOST_TEST(Twiml(fallback_of(*step)).verbs() == "");
  }
}

BOOST_AUTO_TEST_CASE(AfterTheForwardNobodyIsDialledAgain) {
  const Twiml twiml(fallback_of(route::kDialResult));
  BOOST_TEST(twiml.verbs() == "Say Record Say Hangup");
  BOOST_TEST(count_of(twiml.response(), "Dial") == 0);
  BOOST_TEST(text_of(twiml.verb(0)) == "If you would like to leave a message, please speak after the beep.");
  BOOST_TEST(attr(twiml.verb(1), "action") == std::string(kBaseUrl) + route::kFallbackVoicemailDone.path);
  BOOST_TEST(attr(twiml.verb(1), "recordingStatusCallback") == std::string(kBaseUrl) + route::kRecordingStatus.path);
}

BOOST_AUTO_TEST_CASE(AfterTheVoicemailThanksAndGoodbye) {
  for (const route::Step* step : {&route::kVoicemailDone, &route::kFallbackVoicemailDone}) {
    const Twiml twiml(fallback_of(*step));
    BOOST_TEST(twiml.verbs() == "Say Hangup");
    BOOST_TEST(text_of(twiml.verb(0)) == "Thanks, goodbye.");
  }
}

BOOST_AUTO_TEST_CASE(CallbacksAreAcknowledgedWithoutTwiml) {
  for (const route::Step* step : {&route::kRecordingStatus, &route::kTranscription, &route::kCallStatus}) {
    BOOST_TEST(!step->answers_twiml);
    BOOST_TEST(!ivr::fallback_twiml(test_settings(), switchboard::test::routing_of(test_settings()), step->fallback).has_value());
  }
}

BOOST_AUTO_TEST_CASE(TheTableNamesEveryPathAndKindOnce) {
  std::set<std::string> paths;
  for (const route::Step* step : route::kSteps) {
    BOOST_TEST(paths.insert(step->path).second, step->path << " twice");
    BOOST_TEST(route::find(step->path) == step);
    BOOST_TEST(std::string(step->path).rfind("/twilio/", 0) == 0u);
    BOOST_TEST(route::label_of_kind(step->kind) != nullptr);
  }
  BOOST_TEST(route::find("/twilio/voice/") == nullptr);
  // Kinds no step logs: the notifier's and the reconciler's have names; anything else has none.
  BOOST_TEST(std::string(route::label_of_kind(route::kNotificationKind)) == "Notification");
  BOOST_TEST(std::string(route::label_of_kind(route::kReconciledKind)) == "Checked with Twilio");
  BOOST_TEST(route::label_of_kind("rejected") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
