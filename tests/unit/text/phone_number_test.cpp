// Whether a caller's number looks like it can take a text: libphonenumber's type of the number's range, mobile (or
// NANP's mixed ranges) yes, everything else no, and nothing that is not exactly E.164.
#include <boost/test/unit_test.hpp>

#include <string>

#include "text/phone_number.h"

using switchboard::text::looks_mobile;

BOOST_AUTO_TEST_SUITE(text_phone_number)

BOOST_AUTO_TEST_CASE(AUkMobileLooksMobile) {
  BOOST_TEST(looks_mobile("+447400123456"));
}

BOOST_AUTO_TEST_CASE(AUkLandlineDoesNot) {
  BOOST_TEST(!looks_mobile("+442079460000"));
}

BOOST_AUTO_TEST_CASE(AUsNumberLooksMobileSinceNanpRangesAreMixed) {
  BOOST_TEST(looks_mobile("+14155550100"));
  BOOST_TEST(looks_mobile("+12125550100"));
}

BOOST_AUTO_TEST_CASE(AUsTollFreeNumberDoesNot) {
  BOOST_TEST(!looks_mobile("+18005550100"));
}

BOOST_AUTO_TEST_CASE(AFrenchMobileLooksMobile) {
  BOOST_TEST(looks_mobile("+33612345678"));
}

BOOST_AUTO_TEST_CASE(AFrenchLandlineDoesNot) {
  BOOST_TEST(!looks_mobile("+33140000000"));
}

BOOST_AUTO_TEST_CASE(PremiumRateAndPersonalNumbersDoNot) {
  BOOST_TEST(!looks_mobile("+448712345678"));  // UK 0871: premium rate
  BOOST_TEST(!looks_mobile("+447012345678"));  // UK 070: personal number (forwards anywhere)
  BOOST_TEST(!looks_mobile("+15005550006"));   // NANP 500: personal communication service
}

BOOST_AUTO_TEST_CASE(GarbageDoesNot) {
  for (const char* text :
       {"garbage", "", "+", "+1", "anonymous", "Restricted", "14155550100", "+1 415 555 0100", "+1-415-555-0100",
        "+1415555010O", "+447400123456\n", "+4407400123456", "+1415555010012345678", "+999123456789"}) {
    BOOST_TEST_CONTEXT("number '" << text << "'") {
      BOOST_TEST(!looks_mobile(text));
    }
  }
}

BOOST_AUTO_TEST_CASE(AnInvalidNumberInAMobileLikeRangeDoesNot) {
  // UK 07700 900xxx is set aside for drama: never assigned, so not a valid number.
  BOOST_TEST(!looks_mobile("+447700900123"));
}

BOOST_AUTO_TEST_SUITE_END()
