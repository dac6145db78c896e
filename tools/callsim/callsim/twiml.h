// How Twilio reads a webhook's answer: what makes it reject the answer outright, and the small attribute and
// text rules the verbs share. Problems are returned as messages; the caller decides whether the call goes on.
#pragma once

#include <pugixml.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "callsim/transport.h"

namespace callsim {

constexpr size_t kMaxTwimlBytes = 64 * 1024;  // error 11750

// Problems with any answer, TwiML or callback: no answer, not 2xx, slower than the limit.
std::vector<std::string> http_problems(const HttpResponse& response, double limit_s);

// The document Twilio would execute, or null when it would reject it (bad Content-Type, too large, not XML, root
// not <Response>); every problem found is appended to problems, including non-fatal ones (chunked body).
std::unique_ptr<pugi::xml_document> read_twiml(const HttpResponse& response, std::vector<std::string>& problems);

bool is_e164(const std::string& number);  // ^\+[1-9][0-9]{1,14}$

// The text of an element and its descendants (SSML inside <Say>), whitespace collapsed.
std::string inner_text(const pugi::xml_node& node);

// Integer attribute or the default when absent. A present but malformed or out-of-range value is a problem
// (Twilio rejects the document) and gives the default.
int integer_attribute(const pugi::xml_node& node, const char* name, int fallback, int min, int max,
                      std::vector<std::string>& problems);

// A present attribute must be one of the choices.
void check_choice(const pugi::xml_node& node, const char* name, std::initializer_list<const char*> choices,
                  std::vector<std::string>& problems);

}  // namespace callsim
