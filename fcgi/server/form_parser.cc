// application/x-www-form-urlencoded bodies and query strings, split into pairs here and decoded by cgicc's
// form_urldecode ('+' and %XX). Not through a cgicc::Cgicc object: constructing one copies the whole CGI
// environment first, which was 17% of a webhook's instructions in the worker (bench/profile) for nothing we use.
#include "server/form_parser.h"

#include <cgicc/CgiUtils.h>

#include <stdexcept>

namespace switchboard::server {

http::Params parse_urlencoded(const std::string& text) {
  if (http::has_malformed_escape(text)) throw std::invalid_argument("malformed percent-escape");
  http::Params params;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("&;", start);
    if (end == std::string::npos) end = text.size();
    // Empty pieces between separators ("a=1&&b=2") are nothing; a name without '=' is a name with an empty value.
    if (end > start) {
      const size_t equals = text.find('=', start);
      if (equals < end) {
        params.emplace_back(cgicc::form_urldecode(text.substr(start, equals - start)),
                            cgicc::form_urldecode(text.substr(equals + 1, end - equals - 1)));
      } else {
        params.emplace_back(cgicc::form_urldecode(text.substr(start, end - start)), std::string());
      }
    }
    start = end + 1;
  }
  return params;
}

}  // namespace switchboard::server
