// See twiml.h. The rules come from twilio-contract.md §7 (content types, 64 KiB, parse failures) and the verb
// attribute tables in §2–§4.
#include "callsim/twiml.h"

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace callsim {
namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The media type without parameters: "text/xml; charset=utf-8" -> "text/xml".
std::string media_type(const std::string& content_type) {
  std::string type = lower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())) != 0) type.pop_back();
  return type;
}

// pugixml keeps a bare '&' as text; Twilio's parser rejects it (12100 names unescaped '&' as a classic cause).
// Scans the whole body, so a '&' inside CDATA or a comment would be flagged too: TwiML has no use for either.
bool has_bare_ampersand(const std::string& body) {
  for (size_t at = body.find('&'); at != std::string::npos; at = body.find('&', at + 1)) {
    const size_t end = body.find(';', at);
    if (end == std::string::npos || end - at > 10) return true;
    const std::string name = body.substr(at + 1, end - at - 1);
    const bool named = name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
    const bool numeric = name.size() > 1 && name[0] == '#' &&
                         name.find_first_not_of(name[1] == 'x' ? "0123456789abcdefABCDEF" : "0123456789",
                                                name[1] == 'x' ? 2 : 1) == std::string::npos;
    if (!named && !numeric) return true;
  }
  return false;
}

void collect_text(const pugi::xml_node& node, std::string& out) {
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      out += ' ';
      out += child.value();
    } else {
      collect_text(child, out);
    }
  }
}

}  // namespace

std::vector<std::string> http_problems(const HttpResponse& response, double limit_s) {
  std::vector<std::string> problems;
  if (!response.error.empty()) {
    problems.push_back("no answer: " + response.error);
  } else if (response.status < 200 || response.status > 299) {
    problems.push_back("HTTP status " + std::to_string(response.status) + " (error 11200)");
  }
  if (response.seconds > limit_s) {
    std::ostringstream message;
    message << "answered after " << response.seconds << " s, over the " << limit_s << " s limit";
    problems.push_back(message.str());
  }
  return problems;
}

std::unique_ptr<pugi::xml_document> read_twiml(const HttpResponse& response, std::vector<std::string>& problems) {
  const std::string type = media_type(response.content_type);
  if (type != "text/xml" && type != "application/xml") {
    problems.push_back("Content-Type '" + response.content_type +
                       "' is not text/xml or application/xml (error 11200)");
    return nullptr;
  }
  if (response.body.size() > kMaxTwimlBytes) {
    problems.push_back("TwiML body of " + std::to_string(response.body.size()) + " bytes exceeds 64 KiB (error 11750)");
    return nullptr;
  }
  if (response.chunked) problems.push_back("TwiML sent chunked; send Content-Length (Twilio may truncate it)");

  auto document = std::make_unique<pugi::xml_document>();
  const pugi::xml_parse_result parsed = document->load_buffer(response.body.data(), response.body.size());
  if (!parsed) {
    problems.push_back(std::string("TwiML is not well-formed XML: ") + parsed.description() + " at byte " +
                       std::to_string(parsed.offset) + " (error 12100)");
    return nullptr;
  }
  if (has_bare_ampersand(response.body)) {
    problems.push_back("TwiML is not well-formed XML: unescaped '&' (error 12100)");
    return nullptr;
  }
  const pugi::xml_node root = document->document_element();
  if (std::string(root.name()) != "Response") {
    problems.push_back(std::string("TwiML root is <") + root.name() + ">, not <Response> (error 12100)");
    return nullptr;
  }
  return document;
}

bool is_e164(const std::string& number) {
  if (number.size() < 3 || number.size() > 16 || number[0] != '+' || number[1] < '1' || number[1] > '9') {
    return false;
  }
  for (size_t i = 2; i < number.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(number[i])) == 0) return false;
  }
  return true;
}

std::string inner_text(const pugi::xml_node& node) {
  std::string raw;
  collect_text(node, raw);
  std::istringstream words(raw);
  std::string word, text;
  while (words >> word) text += (text.empty() ? "" : " ") + word;
  return text;
}

int integer_attribute(const pugi::xml_node& node, const char* name, int fallback, int min, int max,
                      std::vector<std::string>& problems) {
  const pugi::xml_attribute attribute = node.attribute(name);
  if (!attribute) return fallback;
  const std::string text = attribute.value();
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < min || value > max) {
    problems.push_back(std::string("<") + node.name() + " " + name + "=\"" + text + "\">: not an integer in " +
                       std::to_string(min) + ".." + std::to_string(max));
    return fallback;
  }
  return static_cast<int>(value);
}

void check_choice(const pugi::xml_node& node, const char* name, std::initializer_list<const char*> choices,
                  std::vector<std::string>& problems) {
  const pugi::xml_attribute attribute = node.attribute(name);
  if (!attribute) return;
  for (const char* choice : choices) {
    if (std::string(attribute.value()) == choice) return;
  }
  problems.push_back(std::string("<") + node.name() + " " + name + "=\"" + attribute.value() +
                     "\">: not an allowed value");
}

}  // namespace callsim
