// Webhooks nginx kept while no worker answered: the JSON records exactly as log_format switchboard_kept
// (escape=json) writes them decode back into the request Twilio sent — URI, signature, body, form, query and the
// time nginx received it — and anything else is refused. The files are claimed oldest first, a claim whose worker
// died is claimed again, refused requests move to the dead-letter folder with their reason, and the size cap
// pauses keeping.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>

#include <fstream>
#include <sys/wait.h>
#include <unistd.h>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "../support/print.h"
#include "../support/temp_dir.h"
#include "ivr/routes.h"
#include "server/kept_requests.h"
#include "twilio/params.h"

namespace {

namespace param = switchboard::twilio::param;
namespace route = switchboard::ivr::route;
using switchboard::http::Params;
using switchboard::http::Request;
using switchboard::server::decode_kept_request;
using switchboard::server::decoded_path;
using switchboard::server::encode_kept_request;
using switchboard::server::KeptRequests;
using switchboard::test::TempDir;

const std::string kSid = "CA0123456789abcdef0123456789abcdef";
const std::string kSignature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";  // base64: '/', '+' and '=' pass through unescaped
const std::string kForm = "application/x-www-form-urlencoded";

// One record as nginx writes it: the fields of log_format switchboard_kept in order, then a newline.
std::string record(const std::string& method, const std::string& uri, const std::string& content_type,
                   const std::string& signature, const std::string& body) {
  return R"({"msec":"1764147600.123","method":")" + method + R"(","uri":")" + uri + R"(","content_type":")" +
         content_type + R"(","signature":")" + signature + R"(","body":")" + body + "\"}\n";
}

Request decoded(const std::string& json) {
  const std::optional<Request> request = decode_kept_request(json);
  BOOST_REQUIRE_MESSAGE(request.has_value(), "refused: " << json);
  return *request;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_kept_request_decoding)

BOOST_AUTO_TEST_CASE(MenuWebhookComesBackAsTwilioSentIt) {
  const std::string body = "CallSid=" + kSid + "&From=%2B14155550123&Digits=2";
  const Request request =
      decoded(record("POST", std::string(route::kMenu.path) + "?attempt=2", kForm, kSignature, body));
  BOOST_TEST(request.method == "POST");
  BOOST_TEST(request.path == route::kMenu.path);
  BOOST_TEST(request.request_uri == std::string(route::kMenu.path) + "?attempt=2");  // what the signature covers
  BOOST_TEST(request.query == (Params{{"attempt", "2"}}), boost::test_tools::per_element());
  BOOST_TEST(request.content_type == kForm);
  BOOST_TEST(request.twilio_signature == kSignature);
  BOOST_TEST(request.body == body);
  BOOST_TEST(request.form == (Params{{param::kCallSid, kSid}, {param::kFrom, "+14155550123"}, {param::kDigits, "2"}}),
             boost::test_tools::per_element());
  BOOST_TEST(request.remote_user.empty());  // a replay is never an authenticated API call
}

BOOST_AUTO_TEST_CASE(JsonEscapesAreUndone) {
  // nginx's escape=json writes '"' and '\' with a backslash and control bytes as \n, \t or \u00XX; a JSON
  // writer may also spell '"' as \u0022. All must come back as the original bytes.
  const std::string json = record("POST", route::kCallStatus.path, kForm, kSignature,
                                  R"(a=\"x\"&b=\u0022y\u0022&c=back\\slash&d=line\nbreak\ttab\u0001)");
  const Request request = decoded(json);
  BOOST_TEST(request.body == "a=\"x\"&b=\"y\"&c=back\\slash&d=line\nbreak\ttab\x01");
  BOOST_TEST(request.form == (Params{{"a", "\"x\""}, {"b", "\"y\""}, {"c", "back\\slash"}, {"d", "line\nbreak\ttab\x01"}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(Utf8PassesThroughRawOrEscaped) {
  // nginx copies bytes above 0x7F as they are; \u00fc and a surrogate pair are the escaped spellings.
  const Request raw = decoded(record("POST", route::kVoice.path, kForm, kSignature, "CallerName=Z\xC3\xBCrich"));
  BOOST_TEST(raw.form == (Params{{param::kCallerName, "Z\xC3\xBCrich"}}), boost::test_tools::per_element());

  const Request escaped =
      decoded(record("POST", route::kVoice.path, kForm, kSignature, R"(CallerName=Z\u00fcrich+\ud83d\ude00)"));
  BOOST_TEST(escaped.form == (Params{{param::kCallerName, "Z\xC3\xBCrich \xF0\x9F\x98\x80"}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(InvalidUtf8IsKeptForTheStoreToRepair) {
  // A carrier's Latin-1 byte, raw in the record: the replay must not drop the webhook over it.
  const Request request = decoded(record("POST", route::kVoice.path, kForm, kSignature, "CallerName=Caf\xE9"));
  BOOST_TEST(request.form == (Params{{param::kCallerName, "Caf\xE9"}}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(PercentEncodedBodyIsDecodedIntoTheForm) {
  const Request request =
      decoded(record("POST", route::kTranscription.path, kForm + "; charset=utf-8", kSignature,
                     "TranscriptionText=Call+me+back%2C+it%27s+urgent%21&FromCity=Z%C3%BCrich"));
  BOOST_TEST(request.form == (Params{{param::kTranscriptionText, "Call me back, it's urgent!"},
                                     {param::kFromCity, "Z\xC3\xBCrich"}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(EmptyFieldsAreEmptyValues) {
  // escape=json logs an absent header or body as "" (not "-").
  const Request request = decoded(record("POST", route::kCallStatus.path, "", "", ""));
  BOOST_TEST(request.path == route::kCallStatus.path);
  BOOST_TEST(request.content_type == "");
  BOOST_TEST(request.twilio_signature == "");
  BOOST_TEST(request.body == "");
  BOOST_TEST(request.form.empty());
  BOOST_TEST(request.query.empty());
}

BOOST_AUTO_TEST_CASE(MissingOptionalFieldsTakeDefaults) {
  const Request request = decoded(R"({"uri":"/twilio/voice","body":"CallSid=CA1"})");
  BOOST_TEST(request.method == "POST");
  BOOST_TEST(request.content_type == "");
  BOOST_TEST(request.twilio_signature == "");
  BOOST_TEST(request.body == "CallSid=CA1");
  BOOST_TEST(request.form.empty());  // without the form content type the body is not a form
}

BOOST_AUTO_TEST_CASE(NonFormBodyIsKeptButNotParsed) {
  const Request request = decoded(record("POST", route::kVoice.path, "application/json", kSignature, R"({\"a\":1})"));
  BOOST_TEST(request.body == R"({"a":1})");
  BOOST_TEST(request.form.empty());
}

BOOST_AUTO_TEST_CASE(RecordWithoutTrailingNewlineOrWithSurroundingSpace) {
  std::string json = record("POST", route::kVoice.path, kForm, kSignature, "CallSid=CA1");
  json.pop_back();
  BOOST_TEST(decoded(json).form == (Params{{param::kCallSid, "CA1"}}), boost::test_tools::per_element());
  BOOST_TEST(decoded("  \n" + json + "\n\n").form == (Params{{param::kCallSid, "CA1"}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(RecordsThatAreNotKeptRequestsAreRefused) {
  const std::vector<std::string> refused = {
      "",
      "not json",
      "[]",
      "\"text\"",
      "null",
      "-",
      R"({})",
      R"({"uri":"/twilio/voice"})",                    // no body
      R"({"body":"CallSid=CA1"})",                     // no URI
      R"({"uri":"","body":""})",                       // empty URI
      R"({"uri":"twilio/voice","body":""})",           // not a path
      R"({"uri":"http://evil/twilio/voice","body":""})",
      R"({"uri":42,"body":""})",
      R"({"uri":"/twilio/voice","body":null})",
      R"({"uri":"/twilio/voice","body":"CallSid=CA1)",  // torn write
      R"({"uri":"/twilio/voice","body":"a","method":"PO)",
  };
  for (const std::string& json : refused) {
    BOOST_TEST(!decode_kept_request(json).has_value(), "accepted: " << json);
  }
}

BOOST_AUTO_TEST_CASE(BrokenPercentEscapeInBodyOrQueryIsRefused) {
  BOOST_TEST(!decode_kept_request(record("POST", route::kVoice.path, kForm, kSignature, "CallSid=CA1&Digits=%2")));
  BOOST_TEST(!decode_kept_request(record("POST", std::string(route::kMenu.path) + "?attempt=%zz", kForm, kSignature,
                                         "CallSid=CA1")));
}

BOOST_AUTO_TEST_CASE(BrokenEscapeInANonFormBodyIsNotAnError) {
  BOOST_TEST(decoded(record("POST", route::kVoice.path, "text/plain", kSignature, "100%")).body == "100%");
}

BOOST_AUTO_TEST_CASE(NginxTimeIsTheEventTime) {
  // $msec: seconds since the epoch with milliseconds — the time the caller really called, not the replay's.
  BOOST_TEST(decoded(record("POST", route::kVoice.path, kForm, kSignature, "CallSid=CA1")).received_at_ms ==
             std::optional<std::int64_t>(1764147600123));
  for (const char* msec : {"", "garbage", "12", "-1764147600.123", "1764147600.123x", "100000000000.0", "nan"}) {
    const std::string json = std::string(R"({"msec":")") + msec + R"(","uri":"/twilio/voice","body":""})";
    BOOST_TEST(!decoded(json).received_at_ms.has_value(), "accepted msec " << msec);
  }
  BOOST_TEST(!decoded(R"({"uri":"/twilio/voice","body":""})").received_at_ms.has_value());
}

BOOST_AUTO_TEST_CASE(PathIsDecodedAsNginxRoutedIt) {
  // nginx matched the location on the decoded path; the signature covers the URI as sent.
  const Request request = decoded(record("POST", "/twilio/%76oice/menu?attempt=2", kForm, kSignature, "CallSid=CA1"));
  BOOST_TEST(request.path == route::kMenu.path);
  BOOST_TEST(request.request_uri == "/twilio/%76oice/menu?attempt=2");
  BOOST_TEST(!decode_kept_request(record("POST", "/twilio/voice%", kForm, kSignature, "")).has_value());
  BOOST_TEST(!decode_kept_request(record("POST", "/twilio/voice%00", kForm, kSignature, "")).has_value());
  BOOST_TEST(decoded_path("/a%2Fb") == std::optional<std::string>("/a/b"));
  BOOST_TEST(!decoded_path("/a%2").has_value());
  BOOST_TEST(!decoded_path("/a%zz").has_value());
}

BOOST_AUTO_TEST_CASE(AWorkersOwnKeptRecordDecodesToTheSameRequest) {
  Request original;
  original.method = "POST";
  original.request_uri = std::string(route::kMenu.path) + "?attempt=2";
  original.content_type = kForm;
  original.twilio_signature = kSignature;
  original.body = "CallSid=" + kSid + "&Digits=1&Note=%22quoted%22%0Aline";
  const Request back = decoded(encode_kept_request(original, 1764147600005));
  BOOST_TEST(back.path == route::kMenu.path);
  BOOST_TEST(back.request_uri == original.request_uri);
  BOOST_TEST(back.body == original.body);
  BOOST_TEST(back.twilio_signature == kSignature);
  BOOST_TEST(back.received_at_ms == std::optional<std::int64_t>(1764147600005));
  BOOST_TEST(back.form_value("Note") == std::optional<std::string>("\"quoted\"\nline"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(server_kept_request_files)

namespace {

constexpr std::uint64_t kCap = 1 << 20;

// Ages every file in `dir` by a minute, as if nginx had written them a while ago.
void settle(const TempDir& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    std::filesystem::last_write_time(entry.path(), std::filesystem::last_write_time(entry.path()) - std::chrono::minutes(1));
  }
}

std::string name_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// A pid no process has: a child that already exited and was reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

}  // namespace

BOOST_AUTO_TEST_CASE(AFileNginxMayStillBeWritingIsLeftAlone) {
  TempDir dir;
  KeptRequests kept(dir.path(), kCap);
  dir.write("kept-1764147600.123-aaaa.json", "{}");  // just written
  BOOST_TEST(kept.claim(10).empty());
  BOOST_TEST(kept.pending());
  dir.write("kept-1764147600.124-bbbb.json", "");  // created, not yet written
  settle(dir);
  const std::vector<std::string> claimed = kept.claim(10);
  BOOST_REQUIRE(claimed.size() == 1u);
  BOOST_TEST(name_of(claimed[0]) == "kept-1764147600.123-aaaa.json.claimed-" + std::to_string(::getpid()));
}

BOOST_AUTO_TEST_CASE(KeptFilesAreClaimedOldestFirstInBoundedBatches) {
  TempDir dir;
  KeptRequests kept(dir.path(), kCap);
  // $msec has a fixed width (10 digits, a dot, 3 digits), so name order is arrival order.
  dir.write("kept-1764147600.123-bbbb.json", "{}");
  dir.write("kept-1764147599.999-zzzz.json", "{}");
  dir.write("kept-1764147600.123-aaaa.json", "{}");
  dir.write("kept-1764147601.000-0000.json", "{}");
  settle(dir);
  const std::string mark = ".claimed-" + std::to_string(::getpid());
  std::vector<std::string> names;
  for (const std::string& path : kept.claim(3)) names.push_back(name_of(path));
  BOOST_TEST(names == (std::vector<std::string>{"kept-1764147599.999-zzzz.json" + mark,
                                                 "kept-1764147600.123-aaaa.json" + mark,
                                                 "kept-1764147600.123-bbbb.json" + mark}),
             boost::test_tools::per_element());
  // Our own claims are being handled: only the fourth file is left to claim.
  const std::vector<std::string> second = kept.claim(3);
  BOOST_REQUIRE(second.size() == 1u);
  BOOST_TEST(name_of(second[0]) == "kept-1764147601.000-0000.json" + mark);
}

BOOST_AUTO_TEST_CASE(AClaimWhoseWorkerDiedIsClaimedAgain) {
  TempDir dir;
  KeptRequests kept(dir.path(), kCap);
  dir.write("kept-1764147600.001-bbbb.json.claimed-" + std::to_string(dead_pid()), "{}");
  dir.write("kept-1764147600.002-cccc.json.claimed-" + std::to_string(::getppid()), "{}");  // alive: in hand
  const std::vector<std::string> claimed = kept.claim(10);
  BOOST_REQUIRE(claimed.size() == 1u);
  BOOST_TEST(name_of(claimed[0]) == "kept-1764147600.001-bbbb.json.claimed-" + std::to_string(::getpid()));
}

BOOST_AUTO_TEST_CASE(ForeignFilesAreIgnored) {
  TempDir dir;
  KeptRequests kept(dir.path(), kCap);
  dir.write("kept-1764147600.003-dddd.jsonl", "{}");
  dir.write("kept-.json", "{}");  // too short to hold a time
  dir.write("other-1764147600.004.json", "{}");
  dir.write("1764147600.005-kept-eeee.json", "{}");
  dir.write("Kept-1764147600.006-ffff.json", "{}");
  dir.write("kept-1764147600.007-gggg.json.claimed-x", "{}");
  dir.write("keeping-paused", "");
  settle(dir);
  BOOST_TEST(kept.claim(10).empty());
  BOOST_TEST(!kept.pending());
  BOOST_TEST(KeptRequests(dir.path() + "/no-such-directory", kCap).claim(10).empty());
}

BOOST_AUTO_TEST_CASE(DoneRemovesAndARefusedRequestIsDeadLetteredWithItsReason) {
  TempDir dir;
  KeptRequests kept(dir.path(), kCap);
  dir.write("kept-1764147600.001-aaaa.json", "first");
  dir.write("kept-1764147600.002-bbbb.json", "second");
  settle(dir);
  const std::vector<std::string> claimed = kept.claim(10);
  BOOST_REQUIRE(claimed.size() == 2u);
  BOOST_TEST(kept.read(claimed[0]) == std::optional<std::string>("first"));
  kept.done(claimed[0]);
  kept.dead_letter(claimed[1], "answered 403: invalid or missing X-Twilio-Signature");
  BOOST_TEST(!std::filesystem::exists(claimed[0]));
  BOOST_TEST(!std::filesystem::exists(claimed[1]));
  std::ifstream dead(dir.path() + "/dead/kept-1764147600.002-bbbb.json");
  std::string content((std::istreambuf_iterator<char>(dead)), std::istreambuf_iterator<char>());
  BOOST_TEST(content == "second");
  std::ifstream reason(dir.path() + "/dead/kept-1764147600.002-bbbb.json.reason");
  std::string why((std::istreambuf_iterator<char>(reason)), std::istreambuf_iterator<char>());
  BOOST_TEST(why == "answered 403: invalid or missing X-Twilio-Signature\n");
  const auto backlog = kept.backlog();
  BOOST_TEST(backlog.pending == 0u);
  BOOST_TEST(backlog.dead_letters == 1u);
  BOOST_TEST(!kept.pending());
}

BOOST_AUTO_TEST_CASE(AWorkerKeepsARequestNginxStyle) {
  TempDir dir;
  KeptRequests kept(dir.path(), kCap);
  Request request;
  request.method = "POST";
  request.request_uri = route::kCallStatus.path;
  request.content_type = kForm;
  request.twilio_signature = kSignature;
  request.body = "CallSid=" + kSid + "&CallStatus=completed";
  kept.keep(request, 1764147600123);
  BOOST_TEST(kept.pending());
  settle(dir);
  const std::vector<std::string> claimed = kept.claim(10);
  BOOST_REQUIRE(claimed.size() == 1u);
  const Request back = decoded(*kept.read(claimed[0]));
  BOOST_TEST(back.form_value(param::kCallStatus) == std::optional<std::string>("completed"));
  BOOST_TEST(back.received_at_ms == std::optional<std::int64_t>(1764147600123));
}

BOOST_AUTO_TEST_CASE(TheCapPausesKeepingAndBelowEightyPercentResumesIt) {
  TempDir dir;
  KeptRequests kept(dir.path(), 1000);
  dir.write("kept-1764147600.001-aaaa.json", std::string(600, 'x'));
  BOOST_TEST(!kept.enforce_cap().paused);
  BOOST_TEST(!std::filesystem::exists(dir.path() + "/keeping-paused"));
  dir.write("kept-1764147600.002-bbbb.json", std::string(500, 'x'));
  const auto full = kept.enforce_cap();
  BOOST_TEST(full.paused);
  BOOST_TEST(full.bytes == 1100u);
  BOOST_TEST(std::filesystem::exists(dir.path() + "/keeping-paused"));  // nginx checks this file
  settle(dir);
  const std::vector<std::string> claimed = kept.claim(1);
  BOOST_REQUIRE(claimed.size() == 1u);
  kept.done(claimed[0]);  // 500 bytes left: below 80%
  BOOST_TEST(!kept.enforce_cap().paused);
  BOOST_TEST(!std::filesystem::exists(dir.path() + "/keeping-paused"));
}

BOOST_AUTO_TEST_SUITE_END()
