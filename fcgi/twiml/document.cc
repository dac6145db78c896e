// Serialisation and escaping for the TwiML builder.
#include "twiml/document.h"

#include "text/utf8.h"

namespace switchboard::twiml {

namespace {

bool plain(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

// Appends `text` escaped to `out`: runs of plain ASCII (nearly all of it) in one append each.
void escape_into(std::string& out, const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    size_t run = i;
    while (run < text.size() && plain(static_cast<unsigned char>(text[run]))) ++run;
    out.append(text, i, run - i);
    i = run;
    if (i == text.size()) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
          // XML 1.0 allows only tab, newline and carriage return below 0x20.
          if (c == '\t' || c == '\n' || c == '\r') out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const size_t length = text::utf8_sequence_length(text, i);
    // U+FFFE and U+FFFF are valid UTF-8 but not XML characters: drop them like the control characters.
    if (length == 3 && text.compare(i, 2, "\xEF\xBF") == 0 &&
        (static_cast<unsigned char>(text[i + 2]) == 0xBE || static_cast<unsigned char>(text[i + 2]) == 0xBF)) {
      i += 3;
      continue;
    }
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(text, i, length);
      i += length;
    }
  }
}

}  // namespace

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 16);
  escape_into(out, text);
  return out;
}

Element& Element::attr(std::string name, std::string value) {
  attributes_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Element& Element::text(std::string text) {
  text_ = std::move(text);
  return *this;
}

Element& Element::child(std::string name) {
  children_.push_back(std::make_unique<Element>(std::move(name)));
  return *children_.back();
}

void Element::write(std::string& out) const {
  out += '<';
  out += name_;
  for (const auto& [name, value] : attributes_) {
    out += ' ';
    out += name;
    out += "=\"";
    escape_into(out, value);
    out += '"';
  }
  if (text_.empty() && children_.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  escape_into(out, text_);
  for (const auto& child : children_) child->write(out);
  out += "</";
  out += name_;
  out += '>';
}

std::string Document::str() const {
  std::string out;
  out.reserve(1024);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  root_.write(out);
  out += '\n';
  return out;
}

}  // namespace switchboard::twiml
