// See url.h. Deliberately small: Switchboard hands Twilio absolute URLs, so relative ones only need the two common
// forms ("/path" and "name"); "../" segments are left as they are, as they would reach the server.
#include "callsim/url.h"

#include <cctype>

namespace callsim {
namespace {

std::string encode_component(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Index of the first '/' after "scheme://host", or npos.
size_t path_start(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::string::npos;
  return url.find('/', scheme_end + 3);
}

}  // namespace

std::string form_encode(const Params& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += encode_component(name) + '=' + encode_component(value);
  }
  return out;
}

std::string with_query(const std::string& url, const Params& params) {
  if (params.empty()) return url;
  return url + (url.find('?') == std::string::npos ? '?' : '&') + form_encode(params);
}

bool is_absolute_url(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::string url_origin(const std::string& url) {
  if (!is_absolute_url(url)) return "";
  return url.substr(0, path_start(url));
}

std::string url_path(const std::string& url) {
  const size_t start = path_start(url);
  return start == std::string::npos ? "/" : url.substr(start);
}

std::string resolve_url(const std::string& document_url, const std::string& ref) {
  if (ref.empty() || is_absolute_url(ref)) return ref.empty() ? document_url : ref;
  if (ref[0] == '/') return url_origin(document_url) + ref;
  std::string directory = url_path(document_url);
  directory = directory.substr(0, directory.find('?'));
  directory = directory.substr(0, directory.rfind('/') + 1);
  return url_origin(document_url) + directory + ref;
}

}  // namespace callsim
