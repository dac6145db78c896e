// Request helpers: finding a parameter (first value wins, an empty value is present, names are case-sensitive) and
// spotting percent-escapes cgicc would keep literally.
#include <boost/test/unit_test.hpp>

#include <string>

#include "../support/print.h"
#include "http/request.h"

namespace {

using switchboard::http::find_param;
using switchboard::http::has_malformed_escape;
using switchboard::http::Params;
using switchboard::http::Request;

}  // namespace

BOOST_AUTO_TEST_SUITE(http_request)

BOOST_AUTO_TEST_CASE(WellFormedEscapesPass) {
  for (const char* text : {"", "a=b", "a=%20", "From=%2B14155550123&Digits=1", "%41%42", "%aF%Fa", "a=b+c",
                           "caf%C3%A9"}) {
    BOOST_TEST_CONTEXT("'" << text << "'") { BOOST_TEST(!has_malformed_escape(text)); }
  }
}

BOOST_AUTO_TEST_CASE(MalformedEscapesAreCaught) {
  for (const char* text : {"%", "%2", "a%", "a=%2", "100%", "%zz", "%2g", "%g2", "%%20", "%20%", "a=%20&b=%x1",
                           "%-1", "% 2"}) {
    BOOST_TEST_CONTEXT("'" << text << "'") { BOOST_TEST(has_malformed_escape(text)); }
  }
}

BOOST_AUTO_TEST_CASE(FindParamReturnsFirstValue) {
  const Params params = {{"Digits", "1"}, {"Digits", "2"}, {"From", "+14155550123"}};
  BOOST_TEST(find_param(params, "Digits") == "1");
  BOOST_TEST(find_param(params, "From") == "+14155550123");
}

BOOST_AUTO_TEST_CASE(FindParamTellsEmptyFromAbsent) {
  const Params params = {{"Digits", ""}};
  BOOST_TEST(find_param(params, "Digits") == "");
  BOOST_TEST(find_param(params, "Digits").has_value());
  BOOST_TEST(!find_param(params, "CallSid").has_value());
  BOOST_TEST(!find_param({}, "Digits").has_value());
}

BOOST_AUTO_TEST_CASE(FindParamIsCaseSensitive) {
  const Params params = {{"digits", "1"}, {"DIGITS", "2"}};
  BOOST_TEST(!find_param(params, "Digits").has_value());
}

BOOST_AUTO_TEST_CASE(RequestReadsFormAndQuerySeparately) {
  Request request;
  request.form = {{"Digits", "2"}};
  request.query = {{"attempt", "3"}, {"Digits", "9"}};
  BOOST_TEST(request.form_value("Digits") == "2");
  BOOST_TEST(request.query_value("Digits") == "9");
  BOOST_TEST(request.query_value("attempt") == "3");
  BOOST_TEST(!request.form_value("attempt").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
