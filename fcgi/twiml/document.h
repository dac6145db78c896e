// A tiny TwiML (XML) builder that escapes everything it is given. Verbs and attributes are written by ivr/; this
// file only guarantees that the output is well-formed XML whatever text a caller's data or a prompt contains:
// markup characters are escaped, characters XML 1.0 forbids are dropped and invalid UTF-8 is replaced, so Twilio
// never fails to parse a document (error 12100) because of a caller name.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::twiml {

class Element {
 public:
  explicit Element(std::string name) : name_(std::move(name)) {}

  Element& attr(std::string name, std::string value);
  Element& text(std::string text);
  // Appends a child and returns it, so nested verbs read top to bottom: gather.child("Say").text("…"). The
  // reference stays valid while more children are added (children are held by pointer).
  Element& child(std::string name);

  const std::string& name() const { return name_; }
  void write(std::string& out) const;

 private:
  std::string name_;
  std::vector<std::pair<std::string, std::string>> attributes_;
  std::string text_;
  std::vector<std::unique_ptr<Element>> children_;
};

// A <Response> document.
class Document {
 public:
  Document() : root_("Response") {}
  Element& verb(std::string name) { return root_.child(std::move(name)); }
  std::string str() const;

 private:
  Element root_;
};

// Escapes text for use in XML character data and attribute values (both quote kinds), dropping characters that
// XML 1.0 does not allow and replacing invalid UTF-8 sequences with U+FFFD.
std::string escape(const std::string& text);

}  // namespace switchboard::twiml
