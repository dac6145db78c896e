// Twilio's REST API over libcurl: HTTP basic auth with the account SID and auth token, form-encoded POST bodies,
// JSON answers. No redirects, bounded time and size; the certificate is always verified.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace switchboard_twilio {

using Form = std::vector<std::pair<std::string, std::string>>;

struct RestResponse {
  long status = 0;
  std::string body;
};

// The API could not be reached at all (DNS, TLS, timeout…).
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RestClient {
 public:
  RestClient(std::string api_base, std::string account_sid, std::string auth_token);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // `path` starts with '/' and may carry a query string (already encoded).
  RestResponse get(const std::string& path);
  RestResponse post(const std::string& path, const Form& form);

  // Percent-encoding for a query value or a form field.
  static std::string escape(const std::string& text);
  static std::string form_encode(const Form& form);

 private:
  RestResponse perform(const std::string& path, const std::string* form_body);

  std::string api_base_;
  std::string account_sid_;
  std::string auth_token_;
  void* curl_;
};

}  // namespace switchboard_twilio
