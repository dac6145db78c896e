// Parsing TwiML answers in integration tests: the document, its verbs in order, attributes.
#pragma once

#include <pugixml.hpp>

#include <string>
#include <vector>

namespace integration {

struct Twiml {
  pugi::xml_document document;
  bool parsed = false;

  explicit Twiml(const std::string& text) { parsed = static_cast<bool>(document.load_string(text.c_str())); }
  pugi::xml_node response() const { return document.child("Response"); }
  // Names of the top-level verbs in order, e.g. {"Gather", "Redirect"}.
  std::vector<std::string> verbs() const {
    std::vector<std::string> names;
    for (pugi::xml_node verb : response().children()) names.emplace_back(verb.name());
    return names;
  }
  // How many `verb` elements the document holds, nested ones included (a <Dial> inside nothing, a <Say> in a
  // <Gather>).
  int count(const char* verb) const { return count_in(response(), verb); }

 private:
  static int count_in(const pugi::xml_node& node, const char* verb) {
    int found = 0;
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      found += (std::string(child.name()) == verb) + count_in(child, verb);
    }
    return found;
  }
};

}  // namespace integration
