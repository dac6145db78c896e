// X-Twilio-Signature: HMAC-SHA1 over the public URL Twilio requested followed by the POST parameters sorted by
// name (name + value, no separators), base64-encoded (twilio-contract.md §6). The URL is rebuilt from the
// configured public base URL — never from the Host header — and, like Twilio's helper libraries, both the form
// with the default port and the form without it are accepted.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace switchboard::twilio {

using SignedParams = std::vector<std::pair<std::string, std::string>>;

// Base64 HMAC-SHA1 of `url` + sorted params. Repeated names contribute each distinct value once, values sorted,
// as Twilio's Python and Node validators do.
std::string compute_signature(const std::string& auth_token, const std::string& url, const SignedParams& params);

// The URL as given plus its twin with the scheme's default port added (when absent) or removed (when present).
std::vector<std::string> url_variants(const std::string& url);

class SignatureValidator {
 public:
  explicit SignatureValidator(std::string auth_token) : auth_token_(std::move(auth_token)) {}

  // True when `signature` matches `url` (or its port variant) and `params`. Compares in constant time.
  bool valid(const std::string& url, const SignedParams& params, const std::string& signature) const;

 private:
  std::string auth_token_;
};

}  // namespace switchboard::twilio
