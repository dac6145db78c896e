// The retention rules: the cut-off of a limit in days, which calls are protected (an unheard voicemail, and only
// that), what starts like audio, and when a cached copy is a verified copy of Twilio's.
#include <boost/test/unit_test.hpp>

#include <string>

#include "../support/sample_calls.h"
#include "retention/rules.h"

namespace {

using namespace switchboard;
using retention::kDayMs;

constexpr std::int64_t kNow = 1796198400000;  // 2026-12-02 00:00:00 UTC

std::string bytes(std::initializer_list<int> values) {
  std::string text;
  for (int value : values) text.push_back(static_cast<char>(value));
  return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(RetentionRules)

BOOST_AUTO_TEST_CASE(ZeroDaysHasNoCutoff) {
  BOOST_TEST(!retention::cutoff_ms(kNow, 0).has_value());
  BOOST_TEST(*retention::cutoff_ms(kNow, 1) == kNow - kDayMs);
  BOOST_TEST(*retention::cutoff_ms(kNow, 30) == kNow - 30 * kDayMs);
}

BOOST_AUTO_TEST_CASE(AnUnheardVoicemailIsProtected) {
  store::CallRow call = test::voicemail_call("CA1", kNow - 400 * kDayMs);
  BOOST_TEST(retention::is_protected(call));
  call.voicemail_heard_at_ms = kNow - 399 * kDayMs;
  BOOST_TEST(!retention::is_protected(call));
}

BOOST_AUTO_TEST_CASE(AnAnsweredCallWithAnUnheardRecordingIsProtected) {
  // Outcome "answered" (the bridge came first), yet a message the page shows as unheard.
  store::CallRow call = test::voicemail_call("CA4", kNow - 400 * kDayMs);
  call.dial_bridged = true;
  BOOST_TEST(std::string(store::outcome_of(call)) == "answered");
  BOOST_TEST(retention::is_protected(call));
}

BOOST_AUTO_TEST_CASE(OtherCallsAreNotProtected) {
  BOOST_TEST(!retention::is_protected(test::answered_call("CA2", kNow - 400 * kDayMs)));
  // A recording Twilio reported absent is no message: nothing to hear, nothing protected.
  store::CallRow empty = test::voicemail_call("CA3", kNow - 400 * kDayMs);
  empty.recording_status = "absent";
  BOOST_TEST(!retention::is_protected(empty));
}

BOOST_AUTO_TEST_CASE(AudioHeadersAreRecognised) {
  BOOST_TEST(retention::looks_like_audio("ID3\x04\x00"));
  BOOST_TEST(retention::looks_like_audio(bytes({0xFF, 0xFB, 0x90, 0x64})));  // MPEG-1 layer III frame
  BOOST_TEST(retention::looks_like_audio(std::string("RIFF\x24\x08\x00\x00WAVEfmt ", 16)));
  BOOST_TEST(!retention::looks_like_audio(""));
  BOOST_TEST(!retention::looks_like_audio("<html><body>Not Found"));
  BOOST_TEST(!retention::looks_like_audio("{\"code\": 20404}"));
  BOOST_TEST(!retention::looks_like_audio(bytes({0xFF, 0xE9})));  // a reserved version: not a frame
  BOOST_TEST(!retention::looks_like_audio(std::string("RIFF\x24\x08\x00\x00AVI LIST", 16)));
}

BOOST_AUTO_TEST_CASE(AVerifiedCopyExistsIsAudioAndHasTwiliosSize) {
  const std::string mp3 = "ID3\x04";
  BOOST_TEST(!retention::unverified_because(4096, mp3, 4096).has_value());
  BOOST_TEST(*retention::unverified_because(-1, "", 4096) == "no local copy");
  BOOST_TEST(*retention::unverified_because(0, "", 4096) == "the local copy is empty");
  BOOST_TEST(*retention::unverified_because(4096, "<html>", 4096) == "the local copy is not an MP3 or WAV file");
  BOOST_TEST(*retention::unverified_because(4000, mp3, 4096) == "the local copy has 4000 bytes, Twilio's 4096");
}

BOOST_AUTO_TEST_SUITE_END()
