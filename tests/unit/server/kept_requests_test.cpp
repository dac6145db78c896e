// Webhooks nginx kept while no worker answered: the JSON records exactly as log_format switchboard_kept
// (escape=json) writes them decode back into the request Twilio sent — URI, signature, body, form and query —
// and anything else is refused; the kept files are found oldest first, other files in the directory ignored.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>

#include <fstream>
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
using switchboard::server::kept_request_files;
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
      decoded(record("POST", std::string(route::kMenu) + "?attempt=2", kForm, kSignature, body));
  BOOST_TEST(request.method == "POST");
  BOOST_TEST(request.path == route::kMenu);
  BOOST_TEST(request.request_uri == std::string(route::kMenu) + "?attempt=2");  // what the signature covers
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
  const std::string json = record("POST", route::kCallStatus, kForm, kSignature,
                                  R"(a=\"x\"&b=\u0022y\u0022&c=back\\slash&d=line\nbreak\ttab\u0001)");
  const Request request = decoded(json);
  BOOST_TEST(request.body == "a=\"x\"&b=\"y\"&c=back\\slash&d=line\nbreak\ttab\x01");
  BOOST_TEST(request.form == (Params{{"a", "\"x\""}, {"b", "\"y\""}, {"c", "back\\slash"}, {"d", "line\nbreak\ttab\x01"}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(Utf8PassesThroughRawOrEscaped) {
  // nginx copies bytes above 0x7F as they are; \u00fc and a surrogate pair are the escaped spellings.
  const Request raw = decoded(record("POST", route::kVoice, kForm, kSignature, "CallerName=Z\xC3\xBCrich"));
  BOOST_TEST(raw.form == (Params{{param::kCallerName, "Z\xC3\xBCrich"}}), boost::test_tools::per_element());

  const Request escaped =
      decoded(record("POST", route::kVoice, kForm, kSignature, R"(CallerName=Z\u00fcrich+\ud83d\ude00)"));
  BOOST_TEST(escaped.form == (Params{{param::kCallerName, "Z\xC3\xBCrich \xF0\x9F\x98\x80"}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(InvalidUtf8IsKeptForTheStoreToRepair) {
  // A carrier's Latin-1 byte, raw in the record: the replay must not drop the webhook over it.
  const Request request = decoded(record("POST", route::kVoice, kForm, kSignature, "CallerName=Caf\xE9"));
  BOOST_TEST(request.form == (Params{{param::kCallerName, "Caf\xE9"}}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(PercentEncodedBodyIsDecodedIntoTheForm) {
  const Request request =
      decoded(record("POST", route::kTranscription, kForm + "; charset=utf-8", kSignature,
                     "TranscriptionText=Call+me+back%2C+it%27s+urgent%21&FromCity=Z%C3%BCrich"));
  BOOST_TEST(request.form == (Params{{param::kTranscriptionText, "Call me back, it's urgent!"},
                                     {param::kFromCity, "Z\xC3\xBCrich"}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(EmptyFieldsAreEmptyValues) {
  // escape=json logs an absent header or body as "" (not "-").
  const Request request = decoded(record("POST", route::kCallStatus, "", "", ""));
  BOOST_TEST(request.path == route::kCallStatus);
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
  const Request request = decoded(record("POST", route::kVoice, "application/json", kSignature, R"({\"a\":1})"));
  BOOST_TEST(request.body == R"({"a":1})");
  BOOST_TEST(request.form.empty());
}

BOOST_AUTO_TEST_CASE(RecordWithoutTrailingNewlineOrWithSurroundingSpace) {
  std::string json = record("POST", route::kVoice, kForm, kSignature, "CallSid=CA1");
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
  BOOST_TEST(!decode_kept_request(record("POST", route::kVoice, kForm, kSignature, "CallSid=CA1&Digits=%2")));
  BOOST_TEST(!decode_kept_request(record("POST", std::string(route::kMenu) + "?attempt=%zz", kForm, kSignature,
                                         "CallSid=CA1")));
}

BOOST_AUTO_TEST_CASE(BrokenEscapeInANonFormBodyIsNotAnError) {
  BOOST_TEST(decoded(record("POST", route::kVoice, "text/plain", kSignature, "100%")).body == "100%");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(server_kept_request_files)

// Ages every file in `dir` by a minute, as if nginx had written them a while ago.
std::vector<std::string> settled_files(const TempDir& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    std::filesystem::last_write_time(entry.path(), std::filesystem::last_write_time(entry.path()) - std::chrono::minutes(1));
  }
  return kept_request_files(dir.path());
}

BOOST_AUTO_TEST_CASE(AFileNginxMayStillBeWritingIsLeftAlone) {
  TempDir dir;
  dir.write("kept-1764147600.123-aaaa.json", "{}");  // just written
  BOOST_TEST(kept_request_files(dir.path()).empty());
  BOOST_TEST(kept_request_files(dir.path(), /*only_settled=*/false).size() == 1u);
  dir.write("kept-1764147600.124-bbbb.json", "");  // created, not yet written
  const auto settled = settled_files(dir);
  BOOST_TEST(settled == (std::vector<std::string>{dir.path() + "/kept-1764147600.123-aaaa.json"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(KeptFilesAreListedOldestFirst) {
  TempDir dir;
  // $msec has a fixed width (10 digits, a dot, 3 digits), so name order is arrival order.
  dir.write("kept-1764147600.123-bbbb.json", "{}");
  dir.write("kept-1764147599.999-zzzz.json", "{}");
  dir.write("kept-1764147600.123-aaaa.json", "{}");
  dir.write("kept-1764147601.000-0000.json", "{}");
  const std::vector<std::string> expected = {
      dir.path() + "/kept-1764147599.999-zzzz.json", dir.path() + "/kept-1764147600.123-aaaa.json",
      dir.path() + "/kept-1764147600.123-bbbb.json", dir.path() + "/kept-1764147601.000-0000.json"};
  BOOST_TEST(settled_files(dir) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ClaimedSetAsideAndForeignFilesAreIgnored) {
  TempDir dir;
  dir.write("kept-1764147600.123-aaaa.json", "{}");
  dir.write("kept-1764147600.001-bbbb.json.claimed-4242", "{}");  // another worker is replaying it
  dir.write("kept-1764147600.002-cccc.json.claimed-4242.bad", "{}");
  dir.write("kept-1764147600.003-dddd.jsonl", "{}");
  dir.write("kept-.json", "{}");  // too short to hold a time
  dir.write("other-1764147600.004.json", "{}");
  dir.write("1764147600.005-kept-eeee.json", "{}");
  dir.write("Kept-1764147600.006-ffff.json", "{}");
  BOOST_TEST(settled_files(dir) == (std::vector<std::string>{dir.path() + "/kept-1764147600.123-aaaa.json"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(MissingOrEmptyDirectoryHasNoFiles) {
  TempDir dir;
  BOOST_TEST(kept_request_files(dir.path()).empty());
  BOOST_TEST(kept_request_files(dir.path() + "/no-such-directory").empty());
}

BOOST_AUTO_TEST_CASE(ListedFileDecodesToItsRequest) {
  TempDir dir;
  dir.write("kept-1764147600.123-aaaa.json", record("POST", route::kRecordingStatus, kForm, kSignature,
                                                    "CallSid=" + kSid + "&RecordingStatus=completed"));
  const std::vector<std::string> files = settled_files(dir);
  BOOST_REQUIRE(files.size() == 1u);
  std::ifstream in(files[0]);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Request request = decoded(content);
  BOOST_TEST(request.path == route::kRecordingStatus);
  BOOST_TEST(request.form_value(param::kRecordingStatus) == "completed");
}

BOOST_AUTO_TEST_SUITE_END()
