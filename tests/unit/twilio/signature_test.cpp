// X-Twilio-Signature against the published vectors of twilio-contract.md §6: compute_signature must reproduce
// every URL + form-parameter vector, and SignatureValidator must accept a signature made with or without the default
// port (Twilio drops :443 before signing voice callbacks) while rejecting anything else.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "twilio/signature.h"

namespace {

using switchboard::twilio::compute_signature;
using switchboard::twilio::SignatureValidator;
using switchboard::twilio::SignedParams;
using switchboard::twilio::url_variants;

const std::string kToken = "12345";
const std::string kBaseUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";

// P, the parameter set the helper libraries share (§6.2).
SignedParams shared_params() {
  return {{"CallSid", "CA1234567890ABCDE"},
          {"Caller", "+14158675309"},
          {"Digits", "1234"},
          {"From", "+14158675309"},
          {"To", "+18005551212"}};
}

// P plus the two keys where sorting by key differs from sorting by key+value (twilio-go).
SignedParams go_params() {
  SignedParams params = shared_params();
  params.emplace_back("ReasonConferenceEnded", "test");
  params.emplace_back("Reason", "Participant");
  return params;
}

std::string sign(const std::string& url, const SignedParams& params) {
  return compute_signature(kToken, url, params);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(twilio_signature)

BOOST_AUTO_TEST_CASE(DocsWorkedExampleMatches) {
  const SignedParams params = {{"Digits", "1234"},
                               {"To", "+18005551212"},
                               {"From", "+14158675310"},
                               {"Caller", "+14158675310"},
                               {"CallSid", "CA1234567890ABCDE"}};
  BOOST_TEST(sign("https://example.com/myapp.php?foo=1&bar=2", params) == "L/OH5YylLD5NRKLltdqwSvS0BnU=");
  BOOST_TEST(sign("https://example.com:443/myapp.php?foo=1&bar=2", params) == "nbjTKFXyL7SOTAXZi6MWqyIuq40=");
}

BOOST_AUTO_TEST_CASE(SharedParamsOverUrlVariantsMatchTable) {
  const SignedParams p = shared_params();
  // Rows 1–5, 8–11, 16, 18–29: the URL as signed varies, the parameters are P (row 8: none).
  BOOST_TEST(sign(kBaseUrl, p) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=");                                         // 1
  BOOST_TEST(sign("https://mycompany.com:443/myapp.php?foo=1&bar=2", p) == "kvajT1Ptam85bY51eRf/AJRuM3w=");  // 2
  BOOST_TEST(sign("http://mycompany.com:80/myapp.php?foo=1&bar=2", p) == "0ZXoZLH/DfblKGATFgpif+LLRf4=");    // 3
  BOOST_TEST(sign("http://mycompany.com:1234/myapp.php?foo=1&bar=2", p) == "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=");  // 4
  BOOST_TEST(sign("https://mycompany.com:1234/myapp.php?foo=1&bar=2", p) == "CYn1h0gLBdNxDGkKJg6hYohgeD8=");  // 5
  BOOST_TEST(sign(kBaseUrl, {}) == "zYQTYrRWXE7LtzbG4PfP7/bkkGo=");                                         // 8
  BOOST_TEST(sign("https://mycompany.com/myapp.php", p) == "1xaxFBvyzXYvWplzNOSs28HWO94=");                  // 9
  BOOST_TEST(sign(kBaseUrl + "&type=thiswontbeusedinthesignaturegeneratorandsoshouldbeignored", p) ==
             "hYkNsTBttoNGkyCS0p+wWmQoRTg=");                                                               // 10
  BOOST_TEST(sign("https://mycompany.com/myapp.php?foo=hello%20world&bar=test%2Bvalue", p) ==
             "er2tvAP1Wx+iuTTE2BPgvEaN1cs=");                                                               // 11
  BOOST_TEST(sign("https://mycompany.com/webhook/España?año=2023", p) ==
             "G/Hx6mqqnjUNlPAoi2Sp9bGst0g=");                                                               // 16
  BOOST_TEST(sign("https://mycompany.com:443//myapp.php?foo=1&bar=2", p) == "A9lH3u16NjyiiM/+wylw5rirFUs=");  // 18
  BOOST_TEST(sign("https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", p) ==
             "CukzLTc1tT5dXEDIHm/tKBanW10=");                                                               // 19
  BOOST_TEST(sign("https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2", p) ==
             "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=");                                                               // 20
  BOOST_TEST(sign("https://user@mycompany.com/myapp.php?foo=1&bar=2", p) == "2YRLlVAflCqxaNicjMpJcSTgzSs=");  // 21
  BOOST_TEST(sign("https://user@mycompany.com:443/myapp.php?foo=1&bar=2", p) ==
             "aZfj4hyX1MLZhSS6QIL18Vn2/RA=");                                                               // 22
  BOOST_TEST(sign(kBaseUrl + "&Body=It%27s+amazing", p) == "TfZzewPq8wqrGlMfyAud8+/IvJ0=");                  // 23
  BOOST_TEST(sign(kBaseUrl + "&Body=It's+amazing", p) == "dsq4Ehbj6cs+KdTkpF5sSSplOWw=");                    // 23 with '
  BOOST_TEST(sign("https://MyCompany.com/myapp.php?foo=1&bar=2", p) == "g9IN/x4Cft2g517EjYvEvM/W7LU=");      // 24
  BOOST_TEST(sign("https://MyCompany.com:1234/myapp.php?foo=1&bar=2", p) == "PCqOZm8cnu/L6+u5i5fuEd+Iac4=");  // 25
  BOOST_TEST(sign("http://MyCompany.com/myapp.php?foo=1&bar=2", p) == "XY7AlKOKL6im4yWyX84gldUrtis=");       // 26
  BOOST_TEST(sign("http://username:password@MyCompany.com/myapp.php?foo=1&bar=2", p) ==
             "PJ08CxXr7KLPjEQCTc8LkUSMwSM=");                                                               // 27
  BOOST_TEST(sign("HTTP://username:password@MyCompany.com/myapp.php?foo=1&bar=2", p) ==
             "hy/l8pca+LFms4cvRdv8uiP6NGc=");                                                               // 28
  BOOST_TEST(sign("http://Username:Password@MyCompany.com/myapp.php?foo=1&bar=2", p) ==
             "SkTSKyDJH9kUlhItI0slbgZ1UsI=");                                                               // 29
}

BOOST_AUTO_TEST_CASE(OddParameterValuesMatchTable) {
  BOOST_TEST(sign(kBaseUrl, {{"Message", "Hello & goodbye! @#$%^*()"},
                             {"From", "+1 (415) 867-5309"},
                             {"Special", "unicode: ñáéíóú"}}) ==
             "dCPiR4WtQ6QFN6pJh81CtlCcWLQ=");  // 12: UTF-8 values
  BOOST_TEST(sign(kBaseUrl, {{"Digits", ""}, {"CallSid", "CA1234567890ABCDE"}, {"EmptyParam", ""}}) ==
             "9HHp/OqQMEwdrVebHDdA/+tqjX8=");  // 13: an empty value contributes just its name
  BOOST_TEST(sign(kBaseUrl, {{"Digits", ""}, {"CallSid", "CA1234567890ABCDE"}, {"NullParam", ""}}) ==
             "L9lTTwIlxM1xGAtLRwhOSZggRhM=");  // 14: Java's null is an empty value
  BOOST_TEST(sign(kBaseUrl, {{"Zebra", "last"}, {"Alpha", "first"}, {"Beta", "second"}, {"Gamma", "third"}}) ==
             "enveUe73ZTVLAekHxez3Qx6JuuQ=");  // 15: sorted by name
  BOOST_TEST(sign(kBaseUrl, {{"callSid", "lowercase"}, {"CallSid", "uppercase"}, {"CALLSID", "allcaps"}}) ==
             "jDK7WKT8wiNrwggd4ceTv4e1MJ4=");  // 17: byte order, upper case first
}

BOOST_AUTO_TEST_CASE(RepeatedKeysAreDedupedAndSorted) {
  // Row 6: Digits=[5678,1234,1234].
  BOOST_TEST(sign(kBaseUrl, {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"},
                             {"Digits", "1234"}}) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  // Row 7, in either order.
  BOOST_TEST(sign(kBaseUrl, {{"MessagingBinding.Address", "+1325xxxxxxx"},
                             {"MessagingBinding.Address", "+1415xxxxxxx"}}) == "83O6e2vORAoJHUNzJjDWN1jz+BA=");
  BOOST_TEST(sign(kBaseUrl, {{"MessagingBinding.Address", "+1415xxxxxxx"},
                             {"MessagingBinding.Address", "+1325xxxxxxx"}}) == "83O6e2vORAoJHUNzJjDWN1jz+BA=");
}

BOOST_AUTO_TEST_CASE(GoLibraryVectorsSortByKeyNotKeyPlusValue) {
  BOOST_TEST(sign(kBaseUrl, go_params()) == "vOEb5UThFn24KEfnOFLQY2AE5FY=");
  BOOST_TEST(sign("http://mycompany.com/myapp.php?foo=1&bar=2", go_params()) == "n2xBNyzSW7rfYStDtOFiFMv7qNo=");
  BOOST_TEST(sign(kBaseUrl, {{"property", "value"}, {"boolean", "true"}}) == "NBdBDr/T/lgjI+tlgpXjKZQZs/k=");
}

BOOST_AUTO_TEST_CASE(ApiSnippetsVectorMatches) {
  const SignedParams params = {{"CallSid", "CA1234567890ABCDE"},
                               {"Caller", "+14158675310"},
                               {"Digits", "1234"},
                               {"From", "+14158675310"},
                               {"To", "+18005551212"}};
  BOOST_TEST(sign(kBaseUrl, params) == "GvWf1cFY/Q7PnoempGyD5oXAezc=");
}

BOOST_AUTO_TEST_CASE(BodyHashUrlsAreSignedAsPlainUrls) {
  // JSON-body webhooks sign the URL carrying bodySHA256 and no parameters. Voice webhooks are form-encoded and the
  // server does not check body hashes, but the URL part is the same computation.
  const std::string hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  BOOST_TEST(sign(kBaseUrl + "&bodySHA256=" + hash, {}) == "a9nBmqA0ju/hNViExpshrM61xv4=");
  BOOST_TEST(sign("https://mycompany.com/myapp.php?bodySHA256=" + hash, {}) == "y77kIzt2vzLz71DgmJGsen2scGs=");
  const std::string empty_body_hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
  BOOST_TEST(sign("https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256=" + empty_body_hash, {}) ==
             "Ldidvp12m26NI7eqEvxnEpkd9Hc=");
  BOOST_TEST(sign(kBaseUrl + "&bodySHA256=" + empty_body_hash, {}) == "rw/jVviOgicj2+kHZULvebnA4ag=");
  // Node's vector was made with :443; the validator's port twin accepts it for the URL without the port.
  BOOST_TEST(SignatureValidator(kToken).valid(kBaseUrl + "&bodySHA256=" + empty_body_hash, {},
                                              "Ldidvp12m26NI7eqEvxnEpkd9Hc="));
}

BOOST_AUTO_TEST_CASE(UrlVariantsToggleTheDefaultPort) {
  using Urls = std::vector<std::string>;
  BOOST_TEST(url_variants(kBaseUrl) == (Urls{kBaseUrl, "https://mycompany.com:443/myapp.php?foo=1&bar=2"}),
             boost::test_tools::per_element());
  BOOST_TEST(url_variants("https://mycompany.com:443/myapp.php") ==
                 (Urls{"https://mycompany.com:443/myapp.php", "https://mycompany.com/myapp.php"}),
             boost::test_tools::per_element());
  BOOST_TEST(url_variants("http://mycompany.com/x") == (Urls{"http://mycompany.com/x", "http://mycompany.com:80/x"}),
             boost::test_tools::per_element());
  BOOST_TEST(url_variants("https://user:pass@mycompany.com?a=1") ==
                 (Urls{"https://user:pass@mycompany.com?a=1", "https://user:pass@mycompany.com:443?a=1"}),
             boost::test_tools::per_element());
  // A non-default port is signed as is; there is no twin.
  BOOST_TEST(url_variants("https://mycompany.com:8443/x") == (Urls{"https://mycompany.com:8443/x"}),
             boost::test_tools::per_element());
  BOOST_TEST(url_variants("not a url") == (Urls{"not a url"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ValidatorAcceptsSignatureMadeWithDefaultPortWhenConfiguredWithout) {
  const SignatureValidator validator(kToken);
  BOOST_TEST(validator.valid(kBaseUrl, shared_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  BOOST_TEST(validator.valid(kBaseUrl, shared_params(), "kvajT1Ptam85bY51eRf/AJRuM3w="));
  BOOST_TEST(validator.valid("http://mycompany.com/myapp.php?foo=1&bar=2", shared_params(),
                             "0ZXoZLH/DfblKGATFgpif+LLRf4="));
  BOOST_TEST(validator.valid("https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", shared_params(),
                             "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="));
}

BOOST_AUTO_TEST_CASE(ValidatorAcceptsSignatureMadeWithoutPortWhenConfiguredWithDefaultPort) {
  const SignatureValidator validator(kToken);
  const std::string with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
  BOOST_TEST(validator.valid(with_port, shared_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  BOOST_TEST(validator.valid(with_port, shared_params(), "kvajT1Ptam85bY51eRf/AJRuM3w="));
  BOOST_TEST(validator.valid("https://user@mycompany.com:443/myapp.php?foo=1&bar=2", shared_params(),
                             "2YRLlVAflCqxaNicjMpJcSTgzSs="));
}

BOOST_AUTO_TEST_CASE(ValidatorKeepsANonDefaultPort) {
  const SignatureValidator validator(kToken);
  const std::string on_1234 = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
  BOOST_TEST(validator.valid(on_1234, shared_params(), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="));
  BOOST_TEST(!validator.valid("http://mycompany.com/myapp.php?foo=1&bar=2", shared_params(),
                              "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="));
}

BOOST_AUTO_TEST_CASE(ValidatorRejectsKeyPlusValueSort) {
  const SignatureValidator validator(kToken);
  BOOST_TEST(validator.valid(kBaseUrl, go_params(), "vOEb5UThFn24KEfnOFLQY2AE5FY="));
  BOOST_TEST(!validator.valid(kBaseUrl, go_params(), "95+Bu0JVPi0r/SsESZCVf0dWAjw="));
}

BOOST_AUTO_TEST_CASE(ValidatorRejectsEmptySignature) {
  const SignatureValidator validator(kToken);
  BOOST_TEST(!validator.valid(kBaseUrl, shared_params(), ""));
  // Even for a request whose expected signature could never be empty.
  BOOST_TEST(!SignatureValidator("").valid("", {}, ""));
}

BOOST_AUTO_TEST_CASE(ValidatorRejectsSignatureForAnotherUrl) {
  const SignatureValidator validator(kToken);
  // Row 9's signature covers the URL without the query string.
  BOOST_TEST(!validator.valid(kBaseUrl, shared_params(), "1xaxFBvyzXYvWplzNOSs28HWO94="));
  BOOST_TEST(!validator.valid("https://mycompany.com/other.php?foo=1&bar=2", shared_params(),
                              "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  // http:// is a different URL from https://, whatever the port.
  BOOST_TEST(!validator.valid("http://mycompany.com/myapp.php?foo=1&bar=2", shared_params(),
                              "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

BOOST_AUTO_TEST_CASE(ValidatorRejectsTamperedParams) {
  const SignatureValidator validator(kToken);
  const std::string signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
  SignedParams changed_value = shared_params();
  changed_value[2].second = "2";  // Digits 1234 → 2
  BOOST_TEST(!validator.valid(kBaseUrl, changed_value, signature));
  SignedParams added = shared_params();
  added.emplace_back("Digits2", "");
  BOOST_TEST(!validator.valid(kBaseUrl, added, signature));
  SignedParams removed = shared_params();
  removed.pop_back();
  BOOST_TEST(!validator.valid(kBaseUrl, removed, signature));
}

BOOST_AUTO_TEST_CASE(ValidatorRejectsAnotherAuthToken) {
  BOOST_TEST(!SignatureValidator("54321").valid(kBaseUrl, shared_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

BOOST_AUTO_TEST_CASE(ValidatorRejectsTruncatedOrPaddedSignature) {
  const SignatureValidator validator(kToken);
  BOOST_TEST(!validator.valid(kBaseUrl, shared_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8"));
  BOOST_TEST(!validator.valid(kBaseUrl, shared_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8= "));
  BOOST_TEST(!validator.valid(kBaseUrl, shared_params(), "rsoydt4t1cutdk1pdd93/vvr8b8="));
}

BOOST_AUTO_TEST_SUITE_END()
