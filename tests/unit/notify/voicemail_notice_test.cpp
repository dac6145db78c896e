// What a voicemail notification says: the SMS text (who, where, how long, a bounded excerpt, the link to the call),
// the webhook's JSON parsed back field by field, and the webhook signature checked against a known vector and an
// HMAC computed here with a different OpenSSL API than the code under test.
#include <boost/test/unit_test.hpp>
#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../support/json.h"
#include "../support/settings.h"
#include "notify/voicemail_notice.h"

namespace {

namespace notify = switchboard::notify;
using switchboard::store::CallRow;
using switchboard::test::parse_json;
using switchboard::test::string_of;

const std::string kFeedUrl = std::string(switchboard::test::kBaseUrl) + "/";
const std::string kSid = "CA0123456789abcdef0123456789abcdef";
const std::string kRecordingSid = "RE0123456789abcdef0123456789abcdef";
const std::string kCallLink = kFeedUrl + "#call=" + kSid;
const std::string kEllipsis = "\xE2\x80\xA6";     // …
const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// A voicemail as the store holds it once the recording and its transcription have arrived.
CallRow voicemail() {
  CallRow call;
  call.sid = kSid;
  call.from = "+14155550101";
  call.to = "+14155550199";
  call.caller_name = "Ada Lovelace";
  call.from_city = "Paris";
  call.from_country = "FR";
  call.status = "completed";
  call.menu_choice = "voicemail";
  call.recording_sid = kRecordingSid;
  call.recording_status = "completed";
  call.recording_duration_s = 21;
  call.transcription_text = "Call me back";
  call.started_at_ms = 1764147600000;
  return call;
}

// A caller who withheld everything but the number.
CallRow bare_voicemail() {
  CallRow call = voicemail();
  call.caller_name.reset();
  call.from_city.reset();
  call.from_country.reset();
  call.recording_duration_s.reset();
  call.transcription_text.reset();
  return call;
}

// Lower-case hex HMAC-SHA256 through EVP_Q_mac, not the HMAC() the code uses.
std::string independent_hmac(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t length = 0;
  const unsigned char* result =
      EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, sizeof digest, &length);
  BOOST_REQUIRE(result != nullptr);
  BOOST_REQUIRE(length == 32u);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return hex;
}

std::vector<std::string> member_names(const rapidjson::Value& object) {
  std::vector<std::string> names;
  for (const auto& member : object.GetObject()) names.emplace_back(member.name.GetString());
  return names;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_sms_text)

BOOST_AUTO_TEST_CASE(FullVoicemailNamesCallerPlaceLengthExcerptAndLink) {
  BOOST_TEST(notify::sms_text(voicemail(), kFeedUrl) ==
             "Voicemail from Ada Lovelace (+14155550101, Paris FR), 0:21: \"Call me back\" " + kCallLink);
}

BOOST_AUTO_TEST_CASE(NumberOnlyWhenTheCallerIsUnknown) {
  BOOST_TEST(notify::sms_text(bare_voicemail(), kFeedUrl) == "Voicemail from +14155550101 " + kCallLink);
}

BOOST_AUTO_TEST_CASE(PlaceWithoutNameGoesInParentheses) {
  CallRow call = bare_voicemail();
  call.from_city = "Oakland";
  call.from_country = "US";
  BOOST_TEST(notify::sms_text(call, kFeedUrl) == "Voicemail from +14155550101 (Oakland US) " + kCallLink);

  call.from_city.reset();
  BOOST_TEST(notify::sms_text(call, kFeedUrl) == "Voicemail from +14155550101 (US) " + kCallLink);
}

BOOST_AUTO_TEST_CASE(NameWithoutPlaceClosesAfterTheNumber) {
  CallRow call = bare_voicemail();
  call.caller_name = "ACME CORP";
  BOOST_TEST(notify::sms_text(call, kFeedUrl) == "Voicemail from ACME CORP (+14155550101) " + kCallLink);
}

BOOST_AUTO_TEST_CASE(LengthIsMinutesAndZeroPaddedSeconds) {
  CallRow call = bare_voicemail();
  for (const auto& [seconds, shown] : std::vector<std::pair<int, std::string>>{
           {0, "0:00"}, {9, "0:09"}, {60, "1:00"}, {125, "2:05"}, {3599, "59:59"}, {3600, "60:00"}}) {
    call.recording_duration_s = seconds;
    BOOST_TEST(notify::sms_text(call, kFeedUrl) == "Voicemail from +14155550101, " + shown + " " + kCallLink,
               "seconds " << seconds);
  }
}

BOOST_AUTO_TEST_CASE(EmptyTranscriptionIsLeftOut) {
  CallRow call = bare_voicemail();
  call.transcription_text = "";
  BOOST_TEST(notify::sms_text(call, kFeedUrl) == "Voicemail from +14155550101 " + kCallLink);
}

BOOST_AUTO_TEST_CASE(TranscriptionOfExactly300CharactersIsKeptWhole) {
  CallRow call = bare_voicemail();
  call.transcription_text = std::string(300, 'x');
  BOOST_TEST(notify::sms_text(call, kFeedUrl) ==
             "Voicemail from +14155550101: \"" + std::string(300, 'x') + "\" " + kCallLink);
}

BOOST_AUTO_TEST_CASE(LongTranscriptionIsCutAt300CharactersWithEllipsis) {
  CallRow call = bare_voicemail();
  call.transcription_text = std::string(299, 'x') + "yz and more";
  BOOST_TEST(notify::sms_text(call, kFeedUrl) ==
             "Voicemail from +14155550101: \"" + std::string(299, 'x') + "y" + kEllipsis + "\" " + kCallLink);
}

BOOST_AUTO_TEST_CASE(CutCountsCharactersNotBytesAndNeverSplitsOne) {
  CallRow call = bare_voicemail();
  std::string umlauts;
  for (int i = 0; i < 301; ++i) umlauts += "\xC3\xBC";  // ü, two bytes each
  call.transcription_text = umlauts;
  const std::string text = notify::sms_text(call, kFeedUrl);
  BOOST_TEST(text == "Voicemail from +14155550101: \"" + umlauts.substr(0, 600) + kEllipsis + "\" " + kCallLink);
}

BOOST_AUTO_TEST_CASE(InvalidUtf8FromTheCallerIsReplaced) {
  CallRow call = bare_voicemail();
  call.caller_name = "Caf\xE9";  // Latin-1, as a carrier might send it
  call.transcription_text = "ok\xFF";
  BOOST_TEST(notify::sms_text(call, kFeedUrl) ==
             "Voicemail from Caf" + kReplacement + " (+14155550101): \"ok" + kReplacement + "\" " + kCallLink);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(notify_webhook_json)

BOOST_AUTO_TEST_CASE(FullVoicemailHasEveryField) {
  const rapidjson::Document body = parse_json(notify::webhook_json(voicemail(), kFeedUrl));
  BOOST_TEST(member_names(body) ==
                 (std::vector<std::string>{"event", "call_sid", "from", "caller_name", "from_city", "from_country",
                                           "recording_sid", "duration_s", "transcription", "call_url", "audio_url"}),
             boost::test_tools::per_element());
  BOOST_TEST(string_of(body["event"]) == "voicemail");
  BOOST_TEST(string_of(body["call_sid"]) == kSid);
  BOOST_TEST(string_of(body["from"]) == "+14155550101");
  BOOST_TEST(string_of(body["caller_name"]) == "Ada Lovelace");
  BOOST_TEST(string_of(body["from_city"]) == "Paris");
  BOOST_TEST(string_of(body["from_country"]) == "FR");
  BOOST_TEST(string_of(body["recording_sid"]) == kRecordingSid);
  BOOST_REQUIRE(body["duration_s"].IsInt());
  BOOST_TEST(body["duration_s"].GetInt() == 21);
  BOOST_TEST(string_of(body["transcription"]) == "Call me back");
  BOOST_TEST(string_of(body["call_url"]) == kCallLink);
  BOOST_TEST(string_of(body["audio_url"]) == kFeedUrl + "api/calls/" + kSid + "/voicemail");
}

BOOST_AUTO_TEST_CASE(UnknownValuesAreNullNotEmpty) {
  const rapidjson::Document body = parse_json(notify::webhook_json(bare_voicemail(), kFeedUrl));
  for (const char* key : {"caller_name", "from_city", "from_country", "duration_s", "transcription"}) {
    BOOST_TEST(body[key].IsNull(), key << " is not null");
  }
  BOOST_TEST(string_of(body["recording_sid"]) == kRecordingSid);
}

BOOST_AUTO_TEST_CASE(TranscriptionIsSentWholeAndEscaped) {
  CallRow call = voicemail();
  const std::string text = std::string(1000, 'x') + " \"quoted\" back\\slash\nnew line \xF0\x9F\x98\x80";
  call.transcription_text = text;
  const rapidjson::Document body = parse_json(notify::webhook_json(call, kFeedUrl));
  BOOST_TEST(string_of(body["transcription"]) == text);
}

BOOST_AUTO_TEST_CASE(InvalidUtf8IsReplacedSoTheBodyStaysValidJson) {
  CallRow call = voicemail();
  call.caller_name = "Caf\xE9";
  call.from_city = "\xC0\xAF";  // overlong '/'
  const rapidjson::Document body = parse_json(notify::webhook_json(call, kFeedUrl));  // validates UTF-8
  BOOST_TEST(string_of(body["caller_name"]) == "Caf" + kReplacement);
  BOOST_TEST(string_of(body["from_city"]) == kReplacement + kReplacement);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(notify_webhook_signature)

BOOST_AUTO_TEST_CASE(KnownVector) {
  // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret-key-1234567
  BOOST_TEST(notify::webhook_signature("secret-key-1234567", 1700000000, R"({"a":1})") ==
             "t=1700000000,v1=402cc04570269e56194e70afb2b9e997161425cf01606f47d18ab5ae0103ddfb");
}

BOOST_AUTO_TEST_CASE(ReceiverCanRecomputeItFromTimestampAndBody) {
  const std::string secret = "a much longer shared secret, 48 bytes of it...!";
  const std::string body = notify::webhook_json(voicemail(), kFeedUrl);
  const std::int64_t now = 1764147661;
  BOOST_TEST(notify::webhook_signature(secret, now, body) ==
             "t=1764147661,v1=" + independent_hmac(secret, "1764147661." + body));
}

BOOST_AUTO_TEST_CASE(KeyLongerThanTheHashBlockStillMatches) {
  // HMAC hashes keys longer than SHA-256's 64-byte block first; both sides must agree on that.
  const std::string secret(100, 'k');
  BOOST_TEST(notify::webhook_signature(secret, 1, "{}") == "t=1,v1=" + independent_hmac(secret, "1.{}"));
}

BOOST_AUTO_TEST_CASE(TimestampBodyAndSecretEachChangeTheSignature) {
  const std::string body = R"({"a":1})";
  const std::string base = notify::webhook_signature("secret-key-1234567", 1700000000, body);
  const std::string v1 = base.substr(base.find(",v1=") + 4);
  const auto digest_of = [](const std::string& signature) { return signature.substr(signature.find(",v1=") + 4); };
  BOOST_TEST(v1.size() == 64u);
  BOOST_TEST(digest_of(notify::webhook_signature("secret-key-1234567", 1700000001, body)) != v1);
  BOOST_TEST(digest_of(notify::webhook_signature("secret-key-1234567", 1700000000, R"({"a":2})")) != v1);
  BOOST_TEST(digest_of(notify::webhook_signature("secret-key-1234568", 1700000000, body)) != v1);
}

BOOST_AUTO_TEST_SUITE_END()
