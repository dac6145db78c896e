// The TwiML builder's one promise: whatever text a caller's data or a prompt holds, the document is well-formed XML
// that reads back as the same text (or as U+FFFD where the bytes were not UTF-8 / not allowed in XML).
#include <boost/test/unit_test.hpp>

#include <string>

#include "../support/twiml.h"
#include "twiml/document.h"

namespace {

using switchboard::test::attr;
using switchboard::test::text_of;
using switchboard::test::Twiml;
using switchboard::twiml::Document;
using switchboard::twiml::escape;

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// A document with one <Say> carrying `text` both as its text and as an attribute.
std::string say_document(const std::string& text) {
  Document document;
  document.verb("Say").attr("voice", text).text(text);
  return document.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(twiml_document)

BOOST_AUTO_TEST_CASE(EmptyDocumentIsSelfClosingResponse) {
  BOOST_TEST(Document().str() == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response/>\n");
}

BOOST_AUTO_TEST_CASE(VerbsAttributesAndChildrenAreWrittenInOrder) {
  Document document;
  document.verb("Gather").attr("numDigits", "1").attr("action", "/menu").child("Say").text("Hello");
  document.verb("Hangup");
  BOOST_TEST(document.str() ==
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<Response><Gather numDigits=\"1\" action=\"/menu\"><Say>Hello</Say></Gather><Hangup/></Response>\n");
}

BOOST_AUTO_TEST_CASE(MarkupCharactersAreEscaped) {
  BOOST_TEST(escape("a & b < c > d \" e ' f") == "a &amp; b &lt; c &gt; d &quot; e &apos; f");
  BOOST_TEST(escape("AT&T") == "AT&amp;T");
}

BOOST_AUTO_TEST_CASE(MarkupInTextAndAttributesReadsBackUnchanged) {
  const std::string text = "Tom & Jerry's \"Diner\" <open> 1 > 0";
  const std::string xml = say_document(text);
  BOOST_TEST(xml.find("Tom &amp; Jerry&apos;s &quot;Diner&quot; &lt;open&gt; 1 &gt; 0") != std::string::npos);
  const Twiml twiml(xml);
  BOOST_TEST(twiml.verbs() == "Say");
  BOOST_TEST(text_of(twiml.verb(0)) == text);
  BOOST_TEST(attr(twiml.verb(0), "voice") == text);
}

BOOST_AUTO_TEST_CASE(ControlCharactersAreDroppedExceptWhitespace) {
  BOOST_TEST(escape("a\x01" "b\x08" "c\x0B" "d\x0C" "e\x1F" "f") == "abcdef");
  BOOST_TEST(escape(std::string("nul\0here", 8)) == "nulhere");
  BOOST_TEST(escape("tab\tnewline\ncr\r") == "tab\tnewline\ncr\r");
  BOOST_TEST(escape("del\x7F") == "del\x7F");  // allowed in XML 1.0
  const Twiml twiml(say_document("bell\x07" "escape\x1B[31m"));
  BOOST_TEST(text_of(twiml.verb(0)) == "bellescape[31m");
}

BOOST_AUTO_TEST_CASE(InvalidUtf8IsReplacedByReplacementCharacter) {
  BOOST_TEST(escape("caf\xC3") == "caf" + kReplacement);                            // truncated sequence
  BOOST_TEST(escape("\xFF" "x") == kReplacement + "x");                            // never a lead byte
  BOOST_TEST(escape("\x80") == kReplacement);                                      // lone continuation
  BOOST_TEST(escape("\xC0\xAF") == kReplacement + kReplacement);                   // overlong '/'
  BOOST_TEST(escape("\xED\xA0\x80") == kReplacement + kReplacement + kReplacement);  // UTF-16 surrogate
  BOOST_TEST(escape("\xF4\x90\x80\x80") == kReplacement + kReplacement + kReplacement + kReplacement);  // > U+10FFFF
  const Twiml twiml(say_document("Jos\xE9"));  // Latin-1 from a carrier
  BOOST_TEST(text_of(twiml.verb(0)) == "Jos" + kReplacement);
  BOOST_TEST(attr(twiml.verb(0), "voice") == "Jos" + kReplacement);
}

BOOST_AUTO_TEST_CASE(ValidUtf8IsKeptAsIs) {
  const std::string text = "Jos\xC3\xA9 M\xC3\xBCller \xE2\x82\xAC 5 \xF0\x9F\x98\x80";  // é ü € 😀
  BOOST_TEST(escape(text) == text);
  const Twiml twiml(say_document(text));
  BOOST_TEST(text_of(twiml.verb(0)) == text);
}

// U+FFFE and U+FFFF are valid UTF-8 but not XML characters: Twilio's parser would reject the document.
BOOST_AUTO_TEST_CASE(NonCharactersFffeAndFfffAreDropped) {
  BOOST_TEST(escape("a\xEF\xBF\xBE" "b") == "ab");
  BOOST_TEST(escape("a\xEF\xBF\xBF" "b") == "ab");
}

BOOST_AUTO_TEST_CASE(HostileCallerNameStaysText) {
  const std::string name = "<img src=x onerror=alert(1)>";
  const std::string xml = say_document(name);
  BOOST_TEST(xml.find("<img") == std::string::npos);
  const Twiml twiml(xml);
  BOOST_TEST(twiml.verbs() == "Say");
  BOOST_TEST(switchboard::test::element_names(twiml.verb(0)) == "");
  BOOST_TEST(text_of(twiml.verb(0)) == name);
  BOOST_TEST(attr(twiml.verb(0), "voice") == name);
}

BOOST_AUTO_TEST_CASE(CdataTerminatorStaysText) {
  const std::string name = "]]><Hangup/><![CDATA[";
  const std::string xml = say_document(name);
  BOOST_TEST(xml.find("]]>") == std::string::npos);
  const Twiml twiml(xml);
  BOOST_TEST(twiml.verbs() == "Say");
  BOOST_TEST(text_of(twiml.verb(0)) == name);
  BOOST_TEST(attr(twiml.verb(0), "voice") == name);
}

BOOST_AUTO_TEST_CASE(AttributeCannotBeClosedEarly) {
  Document document;
  document.verb("Dial").attr("callerId", "\" action=\"https://evil.example/x").child("Number").text("+14155550100");
  const Twiml twiml(document.str());
  const pugi::xml_node dial = twiml.verb(0);
  BOOST_TEST(attr(dial, "callerId") == "\" action=\"https://evil.example/x");
  BOOST_TEST(!switchboard::test::has_attr(dial, "action"));
  BOOST_TEST(text_of(dial.child("Number")) == "+14155550100");
}

BOOST_AUTO_TEST_CASE(ChildReferencesStayValidWhenSiblingsAreAdded) {
  Document document;
  auto& gather = document.verb("Gather");
  auto& say = gather.child("Say");
  // Enough siblings at both levels to force the children vectors to reallocate several times.
  for (int i = 0; i < 100; ++i) gather.child("Pause");
  for (int i = 0; i < 100; ++i) document.verb("Pause");
  say.text("still here").attr("voice", "Polly.Amy");
  gather.attr("action", "/menu");
  auto& last = document.verb("Hangup");
  BOOST_TEST(last.name() == "Hangup");

  const Twiml twiml(document.str());
  const pugi::xml_node gathered = twiml.verb(0);
  BOOST_TEST(attr(gathered, "action") == "/menu");
  BOOST_TEST(text_of(gathered.first_child()) == "still here");
  BOOST_TEST(attr(gathered.first_child(), "voice") == "Polly.Amy");
  BOOST_TEST(std::string(twiml.verb(101).name()) == "Hangup");
}

BOOST_AUTO_TEST_SUITE_END()
