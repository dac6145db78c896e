// Voicemail playback and the "heard" marker against an in-memory store: the guards in order (401, 415, 400, 404),
// the row read back after marking, and the audio endpoint's answers — nginx's X-Accel-Redirect for a cached file,
// 409 for a recording that is not playable, 502 when Twilio cannot be reached (a closed port on loopback).
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "../support/fake_call_store.h"
#include "../support/json.h"
#include "../support/print.h"
#include "../support/response.h"
#include "../support/sample_calls.h"
#include "../support/settings.h"
#include "../support/temp_dir.h"
#include "feed/voicemail_api.h"
#include "twilio/recording_fetcher.h"

namespace {

namespace feed = switchboard::feed;
using switchboard::http::Request;
using switchboard::http::Response;
using switchboard::store::CallRow;
using switchboard::test::FakeCallStore;
using switchboard::test::header_of;
using switchboard::test::json_error_of;
using switchboard::test::parse_json;
using switchboard::test::string_of;
using switchboard::test::TempDir;
using switchboard::twilio::RecordingFetcher;

constexpr std::int64_t kStart = 1764147600000;  // 2025-11-26T09:00:00.000Z
constexpr std::int64_t kNow = kStart + 3600000;  // when the user presses "heard"
const std::string kVoicemailSid = "CA000000000000000000000000000000b2";
const std::string kAnsweredSid = "CA000000000000000000000000000000a1";
const std::string kRecordingSid = switchboard::test::kSampleRecordingSid;
const std::string kNoVoicemail = "this call has no voicemail";
constexpr char kClosedPort[] = "http://127.0.0.1:1";  // nothing listens: the connection is refused at once

std::vector<std::string> files_in(const std::string& directory) {
  std::vector<std::string> names;
  if (!std::filesystem::exists(directory)) return names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

// A store with a completed voicemail and an answered call, a fetcher whose Twilio is a closed port, a fixed clock.
struct VoicemailFixture {
  TempDir dir;
  const std::string cache_dir = dir.path() + "/recordings";
  FakeCallStore store;
  RecordingFetcher fetcher{kClosedPort, switchboard::test::kAccountSid, "12345", cache_dir};
  feed::VoicemailApi api{store, fetcher, [] {
                           return std::chrono::system_clock::time_point(std::chrono::milliseconds(kNow));
                         }};

  VoicemailFixture() {
    store.put(switchboard::test::voicemail_call(kVoicemailSid, kStart));
    store.put(switchboard::test::answered_call(kAnsweredSid, kStart - 60000));
  }

  Request heard_request(const std::string& body) const {
    Request request;
    request.method = "POST";
    request.path = "/api/calls/" + kVoicemailSid + "/voicemail/heard";
    request.request_uri = request.path;
    request.content_type = "application/json";
    request.custom_request_header = "XMLHttpRequest";
    request.remote_user = "alice";
    request.body = body;
    return request;
  }

  Request audio_request() const {
    Request request;
    request.method = "GET";
    request.path = "/api/calls/" + kVoicemailSid + "/voicemail";
    request.request_uri = request.path;
    request.remote_user = "alice";
    return request;
  }

  std::optional<std::int64_t> heard_at() { return store.find_call(kVoicemailSid)->voicemail_heard_at_ms; }

  // Another voicemail call whose recording has `recording_sid` and `status`; returns its call SID.
  std::string add_voicemail(const std::string& recording_sid, const std::optional<std::string>& status) {
    CallRow row = *store.find_call(kVoicemailSid);
    row.id = 0;
    row.sid = "CA0000000000000000000000000000" + std::to_string(1000 + ++added_);
    row.recording_sid = recording_sid;
    row.recording_status = status;
    store.put(row);
    return row.sid;
  }

 private:
  int added_ = 0;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(feed_voicemail_heard, VoicemailFixture)

BOOST_AUTO_TEST_CASE(WithoutAuthenticatedUserIs401) {
  Request request = heard_request(R"({"heard":true})");
  request.remote_user = "";
  const Response response = api.mark_heard(request, kVoicemailSid);
  BOOST_TEST(json_error_of(response, 401) == "authentication required");
  // No Basic challenge: a browser would open its own password dialog instead of the sign-in page.
  BOOST_TEST(header_of(response, "WWW-Authenticate").empty());
  BOOST_TEST(heard_at() == std::nullopt);
}

BOOST_AUTO_TEST_CASE(CrossSiteFormPostsAre415) {
  // What an HTML form on another site can send without a CORS preflight: urlencoded, or text/plain with a body
  // crafted to look like JSON.
  Request form = heard_request("heard=true");
  form.content_type = "application/x-www-form-urlencoded";
  form.custom_request_header = "";
  Request plain = heard_request(R"({"heard":true})");
  plain.content_type = "text/plain";
  plain.custom_request_header = "";
  for (const Request& request : {form, plain}) {
    BOOST_TEST_CONTEXT(request.content_type) {
      BOOST_TEST(json_error_of(api.mark_heard(request, kVoicemailSid), 415) ==
                 "send Content-Type: application/json and X-Requested-With");
    }
  }
  BOOST_TEST(heard_at() == std::nullopt);
}

BOOST_AUTO_TEST_CASE(JsonWithoutXRequestedWithIs415) {
  Request request = heard_request(R"({"heard":true})");
  request.custom_request_header = "";
  BOOST_TEST(json_error_of(api.mark_heard(request, kVoicemailSid), 415) ==
             "send Content-Type: application/json and X-Requested-With");
  BOOST_TEST(heard_at() == std::nullopt);
}

BOOST_AUTO_TEST_CASE(XRequestedWithWithoutJsonIs415) {
  Request request = heard_request(R"({"heard":true})");
  request.content_type = "";
  BOOST_TEST(json_error_of(api.mark_heard(request, kVoicemailSid), 415) ==
             "send Content-Type: application/json and X-Requested-With");
}

BOOST_AUTO_TEST_CASE(JsonWithCharsetIsAccepted) {
  Request request = heard_request(R"({"heard":true})");
  request.content_type = "application/json; charset=utf-8";
  BOOST_TEST(api.mark_heard(request, kVoicemailSid).status == 200);
  BOOST_TEST(heard_at() == kNow);
}

BOOST_AUTO_TEST_CASE(BodiesOtherThanHeardTrueOrFalseAre400) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::vector<std::string> bodies = {
      R"({"heard":"yes"})", R"({"heard":1})",    R"({"heard":null})", R"({"heard":"true"})", R"({})",
      R"({"Heard":true})",  "[]",                R"([{"heard":true}])", "null",              "true",
      "",                   R"({"heard":true)",  R"({"heard":true} {"heard":false})",        "{\"heard\":tru}",
      deep,                 "{\"heard\":true,\"note\":\"\xFF\"}"};  // the last one is not UTF-8
  for (const std::string& body : bodies) {
    BOOST_TEST_CONTEXT("body " << body.substr(0, 40)) {
      BOOST_TEST(json_error_of(api.mark_heard(heard_request(body), kVoicemailSid), 400) ==
                 "body must be {\"heard\": true} or {\"heard\": false}");
    }
  }
  BOOST_TEST(heard_at() == std::nullopt);
}

BOOST_AUTO_TEST_CASE(DeepNestingInAnExtraMemberDoesNotOverflowTheStack) {
  // The parser is iterative; unknown members are ignored.
  const std::string body = R"({"heard":true,"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  BOOST_TEST(api.mark_heard(heard_request(body), kVoicemailSid).status == 200);
  BOOST_TEST(heard_at() == kNow);
}

BOOST_AUTO_TEST_CASE(CallWithoutVoicemailIs404) {
  BOOST_TEST(json_error_of(api.mark_heard(heard_request(R"({"heard":true})"), kAnsweredSid), 404) == kNoVoicemail);
  BOOST_TEST(store.find_call(kAnsweredSid)->voicemail_heard_at_ms == std::nullopt);
}

BOOST_AUTO_TEST_CASE(UnknownCallIs404) {
  BOOST_TEST(json_error_of(api.mark_heard(heard_request(R"({"heard":true})"), "CA0000000000000000000000000000ffff"),
                           404) == kNoVoicemail);
}

BOOST_AUTO_TEST_CASE(HeardTrueStoresTheClockAndAnswersTheCall) {
  const Response response = api.mark_heard(heard_request(R"({"heard":true})"), kVoicemailSid);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.content_type == "application/json; charset=utf-8");
  BOOST_TEST(heard_at() == kNow);

  const rapidjson::Document call = parse_json(response.body);
  BOOST_TEST(string_of(call["sid"]) == kVoicemailSid);
  BOOST_TEST(string_of(call["outcome"]) == "voicemail");
  BOOST_TEST(!call.HasMember("events"));
  const rapidjson::Value& voicemail = call["voicemail"];
  BOOST_REQUIRE(voicemail.IsObject());
  BOOST_TEST(string_of(voicemail["recording_sid"]) == kRecordingSid);
  BOOST_REQUIRE(voicemail["heard"].IsBool());
  BOOST_TEST(voicemail["heard"].GetBool() == true);
  BOOST_TEST(string_of(voicemail["url"]) == "/api/calls/" + kVoicemailSid + "/voicemail");
}

BOOST_AUTO_TEST_CASE(HeardFalseClearsTheMarker) {
  BOOST_REQUIRE(api.mark_heard(heard_request(R"({"heard":true})"), kVoicemailSid).status == 200);
  const Response response = api.mark_heard(heard_request(R"({ "heard" : false })"), kVoicemailSid);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(heard_at() == std::nullopt);
  const rapidjson::Document call = parse_json(response.body);
  BOOST_REQUIRE(call["voicemail"]["heard"].IsBool());
  BOOST_TEST(call["voicemail"]["heard"].GetBool() == false);
}

BOOST_AUTO_TEST_CASE(DatabaseDownIs503WithRetryAfter) {
  store.unavailable = true;
  const Response response = api.mark_heard(heard_request(R"({"heard":true})"), kVoicemailSid);
  BOOST_TEST(json_error_of(response, 503) == "the call log is temporarily unavailable");
  BOOST_TEST(header_of(response, "Retry-After") == "5");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(feed_voicemail_audio, VoicemailFixture)

BOOST_AUTO_TEST_CASE(WithoutAuthenticatedUserIs401) {
  Request request = audio_request();
  request.remote_user = "";
  const Response response = api.audio(request, kVoicemailSid);
  BOOST_TEST(json_error_of(response, 401) == "authentication required");
  BOOST_TEST(header_of(response, "X-Accel-Redirect") == "");
}

BOOST_AUTO_TEST_CASE(CallWithoutVoicemailIs404) {
  BOOST_TEST(json_error_of(api.audio(audio_request(), kAnsweredSid), 404) == kNoVoicemail);
  BOOST_TEST(json_error_of(api.audio(audio_request(), "CA0000000000000000000000000000ffff"), 404) == kNoVoicemail);
}

BOOST_AUTO_TEST_CASE(CachedRecordingIsHandedToNginx) {
  std::filesystem::create_directories(cache_dir);
  dir.write("recordings/" + kRecordingSid + ".mp3", "ID3 fake mp3");
  BOOST_TEST(fetcher.cached_path(kRecordingSid) == cache_dir + "/" + kRecordingSid + ".mp3");

  const Response response = api.audio(audio_request(), kVoicemailSid);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.content_type == "audio/mpeg");
  BOOST_TEST(header_of(response, "X-Accel-Redirect") == "/internal/recordings/" + kRecordingSid + ".mp3");
  BOOST_TEST(response.body.empty());  // nginx serves the file, with Range support
}

BOOST_AUTO_TEST_CASE(RecordingNotCompletedIs409) {
  for (const std::string status : {"in-progress", "absent", "failed"}) {
    const std::string sid = add_voicemail(kRecordingSid, status);
    BOOST_TEST(json_error_of(api.audio(audio_request(), sid), 409) ==
               "the recording is " + status + ", not playable");
  }
  BOOST_TEST(!std::filesystem::exists(cache_dir));  // Twilio was not asked: a fetch creates the cache directory
}

BOOST_AUTO_TEST_CASE(RecordingSidThatIsNotOneIs404AndNeverBecomesAPath) {
  for (const std::string recording : {"RE../../../../etc/passwd", "RE0123456789abcdef0123456789abcde",
                                      "RE0123456789abcdef0123456789abcdef/x", "CA0123456789abcdef0123456789abcdef"}) {
    const Response response = api.audio(audio_request(), add_voicemail(recording, "completed"));
    BOOST_TEST(json_error_of(response, 404) == kNoVoicemail, recording);
    BOOST_TEST(header_of(response, "X-Accel-Redirect") == "", recording);
  }
}

BOOST_AUTO_TEST_CASE(UnreachableTwilioIs502Quickly) {
  const auto started = std::chrono::steady_clock::now();
  const Response response = api.audio(audio_request(), kVoicemailSid);
  const auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(elapsed_ms < 3000);
  BOOST_TEST(json_error_of(response, 502) == "could not fetch the recording from Twilio");
  BOOST_TEST(header_of(response, "X-Accel-Redirect") == "");
  BOOST_TEST(files_in(cache_dir).empty(), "left behind: " << files_in(cache_dir).size() << " files");
}

BOOST_AUTO_TEST_CASE(RecordingWithoutStatusYetIsFetched) {
  // The <Record> action brings the SID before the status callback says "completed": the fetch is tried.
  const std::string sid = add_voicemail(kRecordingSid, std::nullopt);
  BOOST_TEST(json_error_of(api.audio(audio_request(), sid), 502) ==
             "could not fetch the recording from Twilio");
}

BOOST_AUTO_TEST_CASE(EmptyCachedFileIsFetchedAgain) {
  // A zero-byte file is what a crash between open and write leaves; it must not be served as the recording.
  std::filesystem::create_directories(cache_dir);
  dir.write("recordings/" + kRecordingSid + ".mp3", "");
  BOOST_TEST(json_error_of(api.audio(audio_request(), kVoicemailSid), 502) ==
             "could not fetch the recording from Twilio");
}

BOOST_AUTO_TEST_CASE(DatabaseDownIs503WithRetryAfter) {
  store.unavailable = true;
  const Response response = api.audio(audio_request(), kVoicemailSid);
  BOOST_TEST(json_error_of(response, 503) == "the call log is temporarily unavailable");
  BOOST_TEST(header_of(response, "Retry-After") == "5");
}

BOOST_AUTO_TEST_SUITE_END()

// Retention (fcgi/retention/): audio the purge deleted is gone for good — 410, never fetched from Twilio again, even
// with a stale copy in the cache — and the call's JSON says so instead of offering a player.
namespace {

// The fixture's voicemail again under a new call SID, with the purge's marks.
struct DeletedFixture : VoicemailFixture {
  std::string purged(std::optional<std::int64_t> deleted_at, std::optional<std::int64_t> deleted_at_twilio) {
    CallRow row = *store.find_call(kVoicemailSid);
    row.id = 0;
    row.sid = "CA00000000000000000000000000000d" + std::to_string(++count);
    row.recording_deleted_at_ms = deleted_at;
    row.recording_deleted_at_twilio_ms = deleted_at_twilio;
    store.put(row);
    return row.sid;
  }
  int count = 0;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(feed_voicemail_deleted, DeletedFixture)

BOOST_AUTO_TEST_CASE(AudioDeletedByThePurgeIs410AndNotFetched) {
  const std::string sid = purged(kStart + 30 * 86400000LL + 3600000, std::nullopt);
  std::filesystem::create_directories(cache_dir);
  dir.write("recordings/" + kRecordingSid + ".mp3", "ID3 a copy the purge could not see");
  const Response response = api.audio(audio_request(), sid);
  BOOST_TEST(json_error_of(response, 410) == "this voicemail's audio was deleted (retention)");
  BOOST_TEST(header_of(response, "X-Accel-Redirect") == "");
}

BOOST_AUTO_TEST_CASE(DeletedAtTwilioAndNotCachedIs410) {
  const std::string sid = purged(std::nullopt, kStart + 3600000);
  BOOST_TEST(json_error_of(api.audio(audio_request(), sid), 410) ==
             "this voicemail's audio was deleted at Twilio and is not on this host");
  BOOST_TEST(!std::filesystem::exists(cache_dir));  // Twilio was not asked
}

BOOST_AUTO_TEST_CASE(DeletedAtTwilioButCachedStillPlays) {
  const std::string sid = purged(std::nullopt, kStart + 3600000);
  std::filesystem::create_directories(cache_dir);
  dir.write("recordings/" + kRecordingSid + ".mp3", "ID3 fake mp3");
  const Response response = api.audio(audio_request(), sid);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(header_of(response, "X-Accel-Redirect") == "/internal/recordings/" + kRecordingSid + ".mp3");
}

BOOST_AUTO_TEST_CASE(TheCallsJsonSaysDeletedAndHowLongItWasKept) {
  // The first daily run after 30 days.
  const std::string sid = purged(kStart + 30 * 86400000LL + 3600000, kStart + 600000);
  const Response response = api.mark_heard(heard_request(R"({"heard":true})"), sid);
  BOOST_REQUIRE(response.status == 200);
  const rapidjson::Document call = parse_json(response.body);
  const rapidjson::Value& voicemail = call["voicemail"];
  BOOST_REQUIRE(voicemail.IsObject());
  BOOST_TEST(voicemail["deleted"].GetBool() == true);
  BOOST_TEST(string_of(voicemail["deleted_at"]) == "2025-12-26T10:00:00.000Z");
  BOOST_TEST(voicemail["kept_days"].GetInt64() == 30);
  BOOST_TEST(string_of(voicemail["deleted_at_twilio"]) == "2025-11-26T09:10:00.000Z");
  BOOST_TEST(voicemail["url"].IsNull());
  BOOST_TEST(string_of(voicemail["transcription"]) == "Call me back");  // the text stays with the call
}

BOOST_AUTO_TEST_CASE(AKeptVoicemailSaysNotDeleted) {
  const Response response = api.mark_heard(heard_request(R"({"heard":true})"), kVoicemailSid);
  const rapidjson::Document call = parse_json(response.body);
  const rapidjson::Value& voicemail = call["voicemail"];
  BOOST_TEST(voicemail["deleted"].GetBool() == false);
  BOOST_TEST(voicemail["deleted_at"].IsNull());
  BOOST_TEST(voicemail["kept_days"].IsNull());
  BOOST_TEST(voicemail["deleted_at_twilio"].IsNull());
}

BOOST_AUTO_TEST_SUITE_END()
