// application/x-www-form-urlencoded decoding of webhook bodies and query strings: '+' and %XX, repeated names kept
// in order, empty values, separators, and the refusal of broken percent-escapes (which cgicc would keep literally).
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include "../support/print.h"
#include "server/form_parser.h"
#include "twilio/params.h"

namespace {

namespace param = switchboard::twilio::param;
using switchboard::http::Params;
using switchboard::server::parse_urlencoded;

// "name=value|name=value" for readable comparisons.
std::string pairs(const Params& params) {
  std::string text;
  for (const auto& [name, value] : params) {
    if (!text.empty()) text += '|';
    text += name + "=" + value;
  }
  return text;
}

std::string parsed(const std::string& text) { return pairs(parse_urlencoded(text)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(server_form_parser)

BOOST_AUTO_TEST_CASE(TwilioBodyDecodesToItsParameters) {
  const Params params = parse_urlencoded(
      "CallSid=CA0123456789abcdef0123456789abcdef&From=%2B14155550123&CallerName=O%27BRIEN%2C+PAT&Digits=2");
  BOOST_TEST(params == (Params{{param::kCallSid, "CA0123456789abcdef0123456789abcdef"},
                               {param::kFrom, "+14155550123"},
                               {param::kCallerName, "O'BRIEN, PAT"},
                               {param::kDigits, "2"}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(PlusIsASpaceInNamesAndValues) {
  BOOST_TEST(parsed("a+b=c+d++e") == "a b=c d  e");
}

BOOST_AUTO_TEST_CASE(PercentEscapesInEitherCaseBecomeBytes) {
  BOOST_TEST(parsed("%41%62=%e2%82%AC") == "Ab=\xE2\x82\xAC");
}

BOOST_AUTO_TEST_CASE(EscapedSeparatorsStayInTheValue) {
  BOOST_TEST(parsed("a=%2B%26%3D%25%3B") == "a=+&=%;");
}

BOOST_AUTO_TEST_CASE(EscapeIsDecodedOnceOnly) {
  BOOST_TEST(parsed("a=%2541") == "a=%41");
}

BOOST_AUTO_TEST_CASE(NulAndNonAsciiBytesArePassedThrough) {
  // Validating UTF-8 is the store's and the writers' job; the parser keeps what was sent.
  const Params params = parse_urlencoded("a=%00b&c=%FF&d=\xC3\xBC");
  BOOST_REQUIRE(params.size() == 3u);
  BOOST_TEST(params[0].second == std::string("\0b", 2));
  BOOST_TEST(params[1].second == "\xFF");
  BOOST_TEST(params[2].second == "\xC3\xBC");
}

BOOST_AUTO_TEST_CASE(RepeatedNamesAreKeptInOrder) {
  BOOST_TEST(parsed("x=1&x=2&y=&x=3") == "x=1|x=2|y=|x=3");
}

BOOST_AUTO_TEST_CASE(EmptyValuesAndNamesArePresent) {
  const Params params = parse_urlencoded("y=&=v&z=");
  BOOST_TEST(params == (Params{{"y", ""}, {"", "v"}, {"z", ""}}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(EqualsInAValueBelongsToTheValue) {
  BOOST_TEST(parsed("a==b=c") == "a==b=c");
  BOOST_TEST(parse_urlencoded("a==b=c")[0].second == "=b=c");
}

BOOST_AUTO_TEST_CASE(SemicolonSeparatesPairsLikeAmpersand) {
  BOOST_TEST(parsed("a=1;b=2&c=3") == "a=1|b=2|c=3");
}

BOOST_AUTO_TEST_CASE(EmptyTextAndStraySeparatorsGiveNothing) {
  BOOST_TEST(parse_urlencoded("").empty());
  BOOST_TEST(parse_urlencoded("&").empty());
  BOOST_TEST(parsed("&&a=1&&b=2&") == "a=1|b=2");
}

BOOST_AUTO_TEST_CASE(LeadingNameWithoutEqualsIsAnEmptyValue) {
  BOOST_TEST(parsed("b&a=1") == "b=|a=1");
}

// cgicc alone would drop a final bare name ("a=1&b" → only a) though it keeps one anywhere else.
BOOST_AUTO_TEST_CASE(TrailingNameWithoutEqualsIsAnEmptyValue) {
  BOOST_TEST(parsed("a=1&b") == "a=1|b=");
  BOOST_TEST(parsed("k") == "k=");
}

BOOST_AUTO_TEST_CASE(BrokenEscapesAreRefused) {
  for (const std::string text : {"a=%", "a=%2", "a=%zz", "a=%g0", "a=%0g", "%=1", "a=1%", "a=%%41", "a=1&b=%2"}) {
    BOOST_TEST_CONTEXT(text) { BOOST_CHECK_THROW(parse_urlencoded(text), std::invalid_argument); }
  }
}

BOOST_AUTO_TEST_SUITE_END()
