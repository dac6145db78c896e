// The worker's whole request path through App::handle — the real routing table, signature gate, handlers, spool,
// kept requests and feed authentication — on in-memory stores (support/app_fixture.h): what each pool answers,
// what reaches the call store, and what happens when the database or a handler fails.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/app_fixture.h"
#include "../support/json.h"
#include "../support/print.h"
#include "../support/response.h"
#include "../support/sample_calls.h"
#include "../support/twiml.h"
#include "auth/accounts.h"
#include "feed/account_api.h"
#include "ivr/call_flow.h"
#include "ivr/routes.h"
#include "server/kept_requests.h"
#include "server/nginx_fallbacks.h"
#include "twilio/params.h"

namespace {

namespace fs = std::filesystem;
namespace ivr = switchboard::ivr;
namespace param = switchboard::twilio::param;
namespace route = switchboard::ivr::route;
using switchboard::http::Params;
using switchboard::http::Request;
using switchboard::http::Response;
using switchboard::server::App;
using switchboard::test::AppFixture;
using switchboard::test::attr;
using switchboard::test::header_of;
using switchboard::test::json_error_of;
using switchboard::test::kAppNowMs;
using switchboard::test::kBaseUrl;
using switchboard::test::kCaller;
using switchboard::test::parse_json;
using switchboard::test::string_of;
using switchboard::test::text_of;
using switchboard::test::Twiml;

const std::string kCallSid = "CA0123456789abcdef0123456789abcdef";
constexpr char kCompanyNumber[] = "+14155550199";
constexpr char kXml[] = "text/xml; charset=utf-8";

struct FeedFixture : AppFixture {
  FeedFixture() : AppFixture(App::Pool::kFeed) {}
};

// What Twilio posts to /twilio/voice when the call comes in.
Params incoming_call() {
  return {{param::kCallSid, kCallSid},     {param::kAccountSid, switchboard::test::kAccountSid},
          {param::kFrom, kCaller},         {param::kTo, kCompanyNumber},
          {param::kCallStatus, "ringing"}, {param::kDirection, "inbound"}};
}

// What Twilio posts to /twilio/call-status when the call is over.
Params call_completed() {
  return {{param::kCallSid, kCallSid},       {param::kAccountSid, switchboard::test::kAccountSid},
          {param::kFrom, kCaller},           {param::kTo, kCompanyNumber},
          {param::kCallStatus, "completed"}, {param::kCallDuration, "42"},
          {param::kSequenceNumber, "3"},     {param::kDirection, "inbound"}};
}

Request get(const std::string& path) {
  Request request;
  request.method = "GET";
  request.path = path;
  request.request_uri = path;
  return request;
}

// The menu on its first attempt, as the incoming call answers it during office hours.
void check_menu(const Response& response, const switchboard::config::Settings& settings) {
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.content_type == kXml);
  const Twiml twiml(response.body);
  BOOST_REQUIRE(twiml.verbs() == "Gather Redirect");
  const pugi::xml_node gather = twiml.verb(0);
  BOOST_TEST(attr(gather, "action") == route::url(kBaseUrl, route::kMenu, "attempt=1"));
  BOOST_TEST(attr(gather, "numDigits") == "1");
  BOOST_TEST(text_of(gather.child("Say")) == settings.ivr.menu_prompt);
  BOOST_TEST(text_of(twiml.verb(1)) == route::url(kBaseUrl, route::kMenu, "attempt=1"));
}

// The kept-request files (not yet replayed) in the state directory, oldest name first.
std::vector<fs::path> kept_files(const AppFixture& fixture) {
  std::vector<fs::path> files;
  const fs::path directory = switchboard::server::kept_directory(fixture.settings);
  if (!fs::exists(directory)) return files;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.rfind("kept-", 0) == 0) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The /healthz document's reasons, in order.
std::vector<std::string> reasons_of(const rapidjson::Document& health) {
  std::vector<std::string> reasons;
  BOOST_REQUIRE(health["reasons"].IsArray());
  for (const auto& reason : health["reasons"].GetArray()) reasons.push_back(string_of(reason));
  return reasons;
}

std::vector<std::string> sids_of(const rapidjson::Value& calls) {
  std::vector<std::string> sids;
  BOOST_REQUIRE(calls.IsArray());
  for (const auto& call : calls.GetArray()) sids.push_back(string_of(call["sid"]));
  return sids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_app)

// --- The webhook pool ----------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(SignedIncomingCallAnswersTheMenuAndRecordsTheCall, AppFixture) {
  check_menu(app.handle(signed_post(route::kVoice, incoming_call())), settings);

  const auto call = calls.find_call(kCallSid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->from == kCaller);
  BOOST_TEST(call->to == kCompanyNumber);
  BOOST_TEST(call->status == "ringing");
  BOOST_TEST(call->started_at_ms == kAppNowMs);  // the injected clock, not the machine's
  const auto events = calls.events_of(kCallSid);
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].kind == route::kVoice.kind);
  BOOST_TEST(events[0].received_at_ms == kAppNowMs);
  BOOST_TEST(!app.spool_pending());
}

// With two hosts behind a balancer, the number's VoiceFallbackUrl names host B directly, and Twilio signs that URL,
// with ErrorCode and ErrorUrl added: host B (SWITCHBOARD_FALLBACK_BASE_URL) takes it as Twilio's and answers the
// menu; a host without the setting, or a signature for any other host, gets 403.
BOOST_FIXTURE_TEST_CASE(AVoiceFallbackIsSignedForTheFallbackHostsOwnUrl, AppFixture) {
  switchboard::config::Settings host_b_settings = settings;
  host_b_settings.fallback_base_url = "https://voice-b.example.com";
  App host_b(host_b_settings, App::Pool::kWebhooks, App::Stores{calls, routing, accounts, [] { return true; }},
             [] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(kAppNowMs)); });
  Params fallback_form = incoming_call();
  fallback_form.emplace_back("ErrorCode", "11205");
  fallback_form.emplace_back("ErrorUrl", route::url(kBaseUrl, route::kVoice));
  auto signed_for = [&](const std::string& base_url) {
    Request request = signed_post(route::kVoice, fallback_form);
    request.twilio_signature =
        switchboard::twilio::compute_signature(settings.auth_token, route::url(base_url, route::kVoice), fallback_form);
    return request;
  };

  BOOST_TEST(app.handle(signed_for("https://voice-b.example.com")).status == 403);  // not configured here
  BOOST_TEST(host_b.handle(signed_for("https://voice-c.example.com")).status == 403);
  BOOST_TEST(!calls.find_call(kCallSid).has_value());

  const Response answer = host_b.handle(signed_for("https://voice-b.example.com"));
  BOOST_TEST(answer.status == 200);
  const Twiml twiml(answer.body);
  BOOST_TEST(twiml.verb(0).name() == std::string("Gather"));
  // What Twilio requests next goes to the public URL (the balancer), not to the host that answered.
  BOOST_TEST(attr(twiml.verb(0), "action") == route::url(kBaseUrl, route::kMenu, "attempt=1"));
  BOOST_TEST(calls.find_call(kCallSid).has_value());
  // The primary URL's signature is still good on host B.
  BOOST_TEST(host_b.handle(signed_post(route::kVoice, incoming_call())).status == 200);
}

// Twilio requests the VoiceFallbackUrl (our /twilio/voice) also when a later step of the call failed, naming it
// in ErrorUrl: the caller goes on with that step's own continuation, never with the menu from the start, and after
// a failed forward's result never with a second <Dial>.
BOOST_FIXTURE_TEST_CASE(AFallbackForALaterStepContinuesThatStep, AppFixture) {
  auto fallback_for = [&](const std::string& error_url) {
    Params form = incoming_call();
    form.emplace_back("ErrorCode", "11200");
    form.emplace_back("ErrorUrl", error_url);
    return app.handle(signed_post(route::kVoice, form));
  };
  const Response after_menu = fallback_for(route::url(kBaseUrl, route::kMenu, "attempt=1") + "#rc=2");
  BOOST_TEST(after_menu.status == 200);
  const Twiml forward(after_menu.body);
  BOOST_TEST(forward.verbs() == "Say Dial Say Record Say Hangup");

  const Response after_dial = fallback_for(route::url(kBaseUrl, route::kDialResult, "target=1"));
  const Twiml voicemail(after_dial.body);
  BOOST_TEST(voicemail.verbs() == "Say Record Say Hangup");
  BOOST_TEST(after_dial.body.find("<Dial") == std::string::npos);

  const Response after_voicemail = fallback_for(route::url(kBaseUrl, route::kVoicemailDone));
  BOOST_TEST(Twiml(after_voicemail.body).verbs() == "Say Hangup");

  // The incoming call's own failure, or a URL that is none of ours: the menu, as for any incoming call.
  BOOST_TEST(Twiml(fallback_for(route::url(kBaseUrl, route::kVoice)).body).verbs() == "Gather Redirect");
  BOOST_TEST(Twiml(fallback_for("https://elsewhere.example.com/other").body).verbs() == "Gather Redirect");
  BOOST_TEST(calls.events_of(kCallSid).size() == 5u);  // each fallback request is an event of the call
}

BOOST_FIXTURE_TEST_CASE(UnsignedOrForgedWebhooksAre403AndRecordNothing, AppFixture) {
  Request unsigned_request = signed_post(route::kVoice, incoming_call());
  unsigned_request.twilio_signature.clear();
  Request wrong_token = signed_post(route::kVoice, incoming_call());
  wrong_token.twilio_signature = switchboard::twilio::compute_signature(
      "not-the-auth-token", route::url(kBaseUrl, route::kVoice), wrong_token.form);
  Params other_caller = incoming_call();
  other_caller[2] = {param::kFrom, "+14155550666"};
  Request tampered = signed_post(route::kVoice, other_caller);  // From changed after Twilio signed the request
  tampered.twilio_signature = signed_post(route::kVoice, incoming_call()).twilio_signature;
  Request other_step = signed_post(route::kMenu, incoming_call());
  other_step.path = route::kVoice.path;  // a signature for the menu's URL presented to another step
  other_step.request_uri = route::kVoice.path;

  for (const Request* request : {&unsigned_request, &wrong_token, &tampered, &other_step}) {
    const Response response = app.handle(*request);
    BOOST_TEST(response.status == 403);
    BOOST_TEST(response.body.find("<Response") == std::string::npos);
  }
  BOOST_TEST(!calls.find_call(kCallSid).has_value());
  BOOST_TEST(calls.events_of(kCallSid).empty());
  BOOST_TEST(!app.spool_pending());  // neither spooled nor kept
  BOOST_TEST(kept_files(*this).empty());
}

BOOST_FIXTURE_TEST_CASE(CallStatusCallbackIs204AndRecorded, AppFixture) {
  const Response response = app.handle(signed_post(route::kCallStatus, call_completed()));
  BOOST_TEST(response.status == 204);
  BOOST_TEST(response.body.empty());

  const auto call = calls.find_call(kCallSid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->status == "completed");
  BOOST_TEST(call->duration_s == 42);
  const auto events = calls.events_of(kCallSid);
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].kind == route::kCallStatus.kind);
}

BOOST_FIXTURE_TEST_CASE(UnknownTwilioPathIs404AndRecordsNothing, AppFixture) {
  Request request = signed_post(route::kVoice, incoming_call());
  request.path = "/twilio/voice/nowhere";
  request.request_uri = request.path;
  request.twilio_signature = switchboard::twilio::compute_signature(
      settings.auth_token, std::string(kBaseUrl) + request.request_uri, request.form);
  BOOST_TEST(json_error_of(app.handle(request), 404) == "not found");
  BOOST_TEST(calls.events_of(kCallSid).empty());
  BOOST_TEST(kept_files(*this).empty());  // not a step: no safety net, nothing kept for replay
}

BOOST_FIXTURE_TEST_CASE(HealthzSaysOkWhenTheDatabaseAnswers, AppFixture) {
  const Response response = app.handle(get("/healthz"));
  BOOST_TEST(response.status == 200);
  const rapidjson::Document health = parse_json(response.body);
  BOOST_TEST(string_of(health["status"]) == "ok");
  BOOST_TEST(string_of(health["database"]) == "reachable");
  BOOST_TEST(reasons_of(health).empty());
  BOOST_TEST(health["spool_bytes"].GetUint64() == 0u);
}

BOOST_FIXTURE_TEST_CASE(HealthzIsDegradedButUpWhenTheDatabaseIsUnreachable, AppFixture) {
  database_reachable = false;
  const Response response = app.handle(get("/healthz"));
  BOOST_TEST(response.status == 200);  // callers are still routed: a balancer must keep this host
  const rapidjson::Document health = parse_json(response.body);
  BOOST_TEST(string_of(health["status"]) == "degraded");
  BOOST_TEST(string_of(health["database"]) == "unreachable");
  BOOST_TEST(reasons_of(health) == (std::vector<std::string>{"database unreachable: events are spooled"}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(WebhookPoolServesNoFeedRoute, AppFixture) {
  Request sign_in = get("/api/session");
  sign_in.method = "POST";
  for (const Request& request : {get("/api/calls"), get("/api/session"), sign_in, get("/readyz")}) {
    BOOST_TEST(json_error_of(app.handle(request), 404) == "not found", request.method << " " << request.path);
  }
  BOOST_TEST(!calls.last_query.has_value());
}

// --- When the database or a handler fails ----------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(DatabaseDownTheCallerStillHearsTheMenuAndTheSpoolTakesTheEvent, AppFixture) {
  calls.unavailable = true;
  database_reachable = false;
  check_menu(app.handle(signed_post(route::kVoice, incoming_call())), settings);
  BOOST_TEST(app.spool_pending());
  BOOST_TEST(kept_files(*this).empty());  // answered normally: the safety net was not needed
  const rapidjson::Document health = parse_json(app.handle(get("/healthz")).body);
  BOOST_TEST(health["spool_bytes"].GetUint64() > 0u);

  // The database is back: the replay stores the event with the time it arrived, not the time of the replay.
  calls.unavailable = false;
  database_reachable = true;
  BOOST_TEST(!calls.find_call(kCallSid).has_value());
  now_ms = kAppNowMs + 60000;
  app.replay_pending();
  const auto events = calls.events_of(kCallSid);
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].kind == route::kVoice.kind);
  BOOST_TEST(events[0].received_at_ms == kAppNowMs);
  BOOST_TEST(calls.find_call(kCallSid)->from == kCaller);
  BOOST_TEST(!app.spool_pending());
}

// The event log takes any failure of the store but a refusal (store::Rejected) as "not stored now": the caller hears
// the step's real answer and the event is spooled, exactly as in an outage. The safety net below is for failures of
// the handler itself.
BOOST_FIXTURE_TEST_CASE(StoreThrowingRuntimeErrorIsSpooledAndTheCallerHearsTheMenu, AppFixture) {
  calls.before_record = [](const switchboard::store::Event&) { throw std::runtime_error("driver failed (test)"); };
  check_menu(app.handle(signed_post(route::kVoice, incoming_call())), settings);
  BOOST_TEST(calls.events_of(kCallSid).empty());
  BOOST_TEST(app.spool_pending());
  BOOST_TEST(kept_files(*this).empty());

  calls.before_record = nullptr;
  app.replay_pending();
  BOOST_TEST(calls.events_of(kCallSid).size() == 1u);
  BOOST_TEST(!app.spool_pending());
}

BOOST_FIXTURE_TEST_CASE(HandlerFailureAnswersTheStepsFallbackAndKeepsTheRequest, AppFixture) {
  const Request request = signed_post(route::kVoice, incoming_call());
  // The handler's first look at the clock throws: no store failure reaches this path (the event log absorbs them,
  // above), so a failing clock stands for any unexpected failure of the handler.
  clock_failures = 1;
  const Response response = app.handle(request);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.content_type == kXml);
  const auto fallback = ivr::fallback_twiml(settings, switchboard::test::routing_of(settings), route::kVoice.fallback);
  BOOST_REQUIRE(fallback.has_value());
  BOOST_TEST(response.body == *fallback);
  BOOST_TEST(Twiml(response.body).verbs() != "Gather Redirect");  // not the menu the handler would have answered
  BOOST_TEST(calls.events_of(kCallSid).empty());

  // Kept exactly as received, with when it was received, for the replay.
  const std::vector<fs::path> kept = kept_files(*this);
  BOOST_REQUIRE(kept.size() == 1u);
  const auto record = switchboard::server::decode_kept_request(read_file(kept[0]));
  BOOST_REQUIRE(record.has_value());
  BOOST_TEST(record->method == "POST");
  BOOST_TEST(record->path == route::kVoice.path);
  BOOST_TEST(record->request_uri == request.request_uri);
  BOOST_TEST(record->form == request.form, boost::test_tools::per_element());
  BOOST_TEST(record->twilio_signature == request.twilio_signature);
  BOOST_TEST(record->received_at_ms == kAppNowMs);

  // A callback whose handler fails is acknowledged (204) and kept too.
  clock_failures = 1;
  BOOST_TEST(app.handle(signed_post(route::kCallStatus, call_completed())).status == 204);
  BOOST_TEST(kept_files(*this).size() == 2u);

  // The replay (once the files are settled: a second old) logs both events as if they had arrived on time.
  for (const fs::path& file : kept_files(*this)) {
    fs::last_write_time(file, fs::last_write_time(file) - std::chrono::seconds(10));
  }
  now_ms = kAppNowMs + 60000;
  app.replay_pending();
  const auto events = calls.events_of(kCallSid);
  BOOST_REQUIRE(events.size() == 2u);
  BOOST_TEST(events[0].received_at_ms == kAppNowMs);
  BOOST_TEST(events[1].received_at_ms == kAppNowMs);
  BOOST_TEST(calls.find_call(kCallSid)->status == "completed");
  BOOST_TEST(kept_files(*this).empty());
}

// --- The feed pool -------------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(FeedPoolServesNoTwilioRoute, FeedFixture) {
  BOOST_TEST(json_error_of(app.handle(signed_post(route::kVoice, incoming_call())), 404) == "not found");
  BOOST_TEST(json_error_of(app.handle(signed_post(route::kCallStatus, call_completed())), 404) == "not found");
  BOOST_TEST(json_error_of(app.handle(get("/healthz")), 404) == "not found");
  BOOST_TEST(json_error_of(app.handle(get("/metrics")), 404) == "not found");
  BOOST_TEST(calls.events_of(kCallSid).empty());
  BOOST_TEST(kept_files(*this).empty());
}

BOOST_FIXTURE_TEST_CASE(ReadyzFollowsTheDatabase, FeedFixture) {
  const Response ready = app.handle(get("/readyz"));
  BOOST_TEST(ready.status == 200);
  const rapidjson::Document up = parse_json(ready.body);
  BOOST_TEST(string_of(up["status"]) == "ready");
  BOOST_TEST(string_of(up["database"]) == "reachable");

  database_reachable = false;
  const Response not_ready = app.handle(get("/readyz"));
  BOOST_TEST(not_ready.status == 503);
  const rapidjson::Document down = parse_json(not_ready.body);
  BOOST_TEST(string_of(down["status"]) == "not ready");
  BOOST_TEST(string_of(down["database"]) == "unreachable");
}

BOOST_FIXTURE_TEST_CASE(CallListNeedsASession, FeedFixture) {
  calls.put(switchboard::test::answered_call(kCallSid, kAppNowMs));
  BOOST_TEST(json_error_of(app.handle(get("/api/calls")), 401) == "authentication required");
  Request made_up = get("/api/calls");
  made_up.cookie = std::string(switchboard::feed::kSessionCookie) + "=not-a-session-anyone-was-given";
  BOOST_TEST(json_error_of(app.handle(made_up), 401) == "authentication required");
  Request claims_a_user = get("/api/calls");
  claims_a_user.remote_user = "alice";  // who a request says it is counts for nothing
  claims_a_user.user_role = "admin";
  BOOST_TEST(json_error_of(app.handle(claims_a_user), 401) == "authentication required");
  BOOST_TEST(!calls.last_query.has_value());  // refused before the store was asked
}

BOOST_FIXTURE_TEST_CASE(SignedInUserListsTheStoresCallsNewestFirst, FeedFixture) {
  const std::string older = "CA000000000000000000000000000000a1", newer = "CA000000000000000000000000000000b2";
  calls.put(switchboard::test::answered_call(older, kAppNowMs - 3600000));
  calls.put(switchboard::test::voicemail_call(newer, kAppNowMs - 60000));
  switchboard::auth::Accounts users(accounts, switchboard::auth::SessionPolicy{}, [this] { return now_ms; });
  BOOST_REQUIRE(!users.add_user({"cli:root", "cli"}, "alice", "viewer", "alice's long password"));

  Request sign_in = get("/api/session");
  sign_in.method = "POST";
  sign_in.content_type = "application/json";
  sign_in.custom_request_header = "switchboard";
  sign_in.body = R"({"user":"alice","password":"alice's long password"})";
  sign_in.remote_addr = "203.0.113.9";
  const Response signed_in = app.handle(sign_in);
  BOOST_REQUIRE(signed_in.status == 200);
  BOOST_TEST(accounts.sessions.size() == 1u);  // the session lives in the store App was given
  BOOST_TEST(accounts.audit_entries.back().action == "login");
  const std::string set_cookie = header_of(signed_in, "Set-Cookie");

  Request list = get("/api/calls");
  list.cookie = set_cookie.substr(0, set_cookie.find(';'));
  const Response response = app.handle(list);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.content_type == "application/json; charset=utf-8");
  const rapidjson::Document page = parse_json(response.body);
  BOOST_TEST(sids_of(page["calls"]) == (std::vector<std::string>{newer, older}), boost::test_tools::per_element());
  BOOST_TEST(string_of(page["calls"][0]["from"]) == "+14155550124");
  BOOST_TEST(page["next_cursor"].IsNull());
  BOOST_TEST(calls.last_query.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
