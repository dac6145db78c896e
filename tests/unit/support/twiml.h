// Reading TwiML back in tests: parse the document with pugixml, then check verbs and attributes by name, the way
// Twilio will read it (style habit 13). A document that is not well-formed XML fails the test right there.
#pragma once

#include <boost/test/unit_test.hpp>
#include <pugixml.hpp>

#include <cstddef>
#include <string>

namespace switchboard::test {

// Names of the element children of `parent`, space-separated: "Gather Redirect".
inline std::string element_names(const pugi::xml_node& parent) {
  std::string names;
  for (const pugi::xml_node& child : parent.children()) {
    if (child.type() != pugi::node_element) continue;
    if (!names.empty()) names += ' ';
    names += child.name();
  }
  return names;
}

// The value of attribute `name`, empty when absent (use has_attr to tell the two apart).
inline std::string attr(const pugi::xml_node& node, const char* name) { return node.attribute(name).value(); }
inline bool has_attr(const pugi::xml_node& node, const char* name) { return !node.attribute(name).empty(); }
inline std::string text_of(const pugi::xml_node& node) { return node.child_value(); }

class Twiml {
 public:
  explicit Twiml(const std::string& text) {
    // Attribute whitespace is kept as written so values compare byte for byte.
    const unsigned options = pugi::parse_default & ~pugi::parse_wconv_attribute;
    const pugi::xml_parse_result result = document_.load_buffer(text.data(), text.size(), options, pugi::encoding_utf8);
    BOOST_REQUIRE_MESSAGE(result, "TwiML is not well-formed XML (" << result.description() << " at offset "
                                                                   << result.offset << "):\n" << text);
    BOOST_REQUIRE_MESSAGE(element_names(document_) == "Response", "expected a single <Response> root:\n" << text);
  }
  Twiml(const Twiml&) = delete;
  Twiml& operator=(const Twiml&) = delete;

  pugi::xml_node response() const { return document_.child("Response"); }
  // The verbs of the response in order, space-separated: "Say Record Say Hangup".
  std::string verbs() const { return element_names(response()); }
  // The index-th verb (0-based); a null node when there are fewer.
  pugi::xml_node verb(std::size_t index) const {
    std::size_t seen = 0;
    for (const pugi::xml_node& child : response().children()) {
      if (child.type() != pugi::node_element) continue;
      if (seen++ == index) return child;
    }
    return pugi::xml_node();
  }

 private:
  pugi::xml_document document_;
};

}  // namespace switchboard::test
