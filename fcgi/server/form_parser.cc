// cgicc reads its input through a CgiInput; this one serves a string as a POST body of the given length.
#include "server/form_parser.h"

#include <cgicc/CgiInput.h>
#include <cgicc/Cgicc.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace switchboard::server {

namespace {

class StringInput : public cgicc::CgiInput {
 public:
  explicit StringInput(const std::string& body) : body_(body) {}

  size_t read(char* data, size_t length) override {
    const size_t count = std::min(length, body_.size() - offset_);
    std::memcpy(data, body_.data() + offset_, count);
    offset_ += count;
    return count;
  }

  std::string getenv(const char* name) override {
    const std::string variable = name;
    if (variable == "REQUEST_METHOD") return "POST";
    if (variable == "CONTENT_TYPE") return "application/x-www-form-urlencoded";
    if (variable == "CONTENT_LENGTH") return std::to_string(body_.size());
    return "";
  }

 private:
  const std::string& body_;
  size_t offset_ = 0;
};

}  // namespace

http::Params parse_urlencoded(const std::string& text) {
  if (http::has_malformed_escape(text)) throw std::invalid_argument("malformed percent-escape");
  http::Params params;
  if (text.empty()) return params;
  // cgicc drops a final name without '=' ("a=1&flag"), though it keeps one elsewhere: make it "flag=".
  const size_t last_separator = text.find_last_of("&;");
  const std::string last_pair = last_separator == std::string::npos ? text : text.substr(last_separator + 1);
  const std::string complete = !last_pair.empty() && last_pair.find('=') == std::string::npos ? text + "=" : text;
  StringInput input(complete);
  const cgicc::Cgicc cgi(&input);
  for (const cgicc::FormEntry& entry : *cgi) params.emplace_back(entry.getName(), entry.getValue());
  return params;
}

}  // namespace switchboard::server
