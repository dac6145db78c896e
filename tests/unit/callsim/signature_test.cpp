// The simulator's own X-Twilio-Signature against the published vectors (twilio-contract.md §6): if these pass,
// a server that rejects the simulator's requests is wrong, not the simulator.
#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "callsim/signature.h"

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

const std::string kToken = "12345";
const std::string kBaseUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";

// The parameter set P shared by the helper libraries' tests.
Pairs shared_params() {
  return {{"CallSid", "CA1234567890ABCDE"},
          {"Caller", "+14158675309"},
          {"Digits", "1234"},
          {"From", "+14158675309"},
          {"To", "+18005551212"}};
}

Pairs go_params() {
  Pairs params = shared_params();
  params.push_back({"ReasonConferenceEnded", "test"});
  params.push_back({"Reason", "Participant"});
  return params;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(callsim_signature)

BOOST_AUTO_TEST_CASE(DocsWorkedExample) {
  const Pairs params = {{"Digits", "1234"},
                        {"To", "+18005551212"},
                        {"From", "+14158675310"},
                        {"Caller", "+14158675310"},
                        {"CallSid", "CA1234567890ABCDE"}};
  BOOST_TEST(callsim::sign(kToken, "https://example.com/myapp.php?foo=1&bar=2", params) ==
             "L/OH5YylLD5NRKLltdqwSvS0BnU=");
}

BOOST_AUTO_TEST_CASE(UrlVariantsOfSharedParams) {
  const Pairs params = shared_params();
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  BOOST_TEST(callsim::sign(kToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", params) ==
             "kvajT1Ptam85bY51eRf/AJRuM3w=");
  BOOST_TEST(callsim::sign(kToken, "http://mycompany.com:80/myapp.php?foo=1&bar=2", params) ==
             "0ZXoZLH/DfblKGATFgpif+LLRf4=");
  BOOST_TEST(callsim::sign(kToken, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", params) ==
             "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=");
  BOOST_TEST(callsim::sign(kToken, "https://mycompany.com/myapp.php", params) == "1xaxFBvyzXYvWplzNOSs28HWO94=");
}

BOOST_AUTO_TEST_CASE(RepeatedKeysAreDedupedAndSorted) {
  const Pairs params = {
      {"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}, {"Digits", "1234"}};
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

BOOST_AUTO_TEST_CASE(NoParamsSignsTheUrlAlone) {
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, {}) == "zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
}

BOOST_AUTO_TEST_CASE(SpecialCharactersAreSignedAsUtf8) {
  const Pairs params = {{"Message", "Hello & goodbye! @#$%^*()"},
                        {"From", "+1 (415) 867-5309"},
                        {"Special", "unicode: \xc3\xb1\xc3\xa1\xc3\xa9\xc3\xad\xc3\xb3\xc3\xba"}};
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, params) == "dCPiR4WtQ6QFN6pJh81CtlCcWLQ=");
}

BOOST_AUTO_TEST_CASE(EmptyValuesContributeTheirName) {
  const Pairs params = {{"Digits", ""}, {"CallSid", "CA1234567890ABCDE"}, {"EmptyParam", ""}};
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, params) == "9HHp/OqQMEwdrVebHDdA/+tqjX8=");
}

BOOST_AUTO_TEST_CASE(ParamsAreSortedByName) {
  const Pairs params = {{"Zebra", "last"}, {"Alpha", "first"}, {"Beta", "second"}, {"Gamma", "third"}};
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, params) == "enveUe73ZTVLAekHxez3Qx6JuuQ=");
}

BOOST_AUTO_TEST_CASE(GoLibraryVectors) {
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, go_params()) == "vOEb5UThFn24KEfnOFLQY2AE5FY=");
  BOOST_TEST(callsim::sign(kToken, "http://mycompany.com/myapp.php?foo=1&bar=2", go_params()) ==
             "n2xBNyzSW7rfYStDtOFiFMv7qNo=");
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, {{"property", "value"}, {"boolean", "true"}}) ==
             "NBdBDr/T/lgjI+tlgpXjKZQZs/k=");
}

BOOST_AUTO_TEST_CASE(SortingByNamePlusValueIsNotProduced) {
  // Sorting the concatenated name+value strings puts "ReasonConferenceEndedtest" before "ReasonParticipant";
  // that order is the go library's known-wrong signature, and sign() must not produce it.
  const std::string wrong_order = kBaseUrl +
                                  "CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309"
                                  "ReasonConferenceEndedtestReasonParticipantTo+18005551212";
  BOOST_TEST(callsim::sign(kToken, wrong_order, {}) == "95+Bu0JVPi0r/SsESZCVf0dWAjw=");
  BOOST_TEST(callsim::sign(kToken, kBaseUrl, go_params()) != "95+Bu0JVPi0r/SsESZCVf0dWAjw=");
}

BOOST_AUTO_TEST_SUITE_END()
