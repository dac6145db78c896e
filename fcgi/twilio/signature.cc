// Twilio request signature computation and validation with OpenSSL.
#include "twilio/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace switchboard::twilio {

namespace {

std::string base64(const unsigned char* data, size_t length) {
  std::string out(4 * ((length + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(length));
  out.resize(static_cast<size_t>(written));
  return out;
}

std::string default_port_for(const std::string& scheme) {
  std::string lower = scheme;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "https" ? "443" : "80";
}

// The sorted, distinct pairs concatenated (name then value): the part of the signed text that is the same for
// every URL variant. Sorted through pointers: copying 26 pairs to sort them cost more than the HMAC.
std::string signed_params_text(const SignedParams& params) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  size_t length = 0;
  for (const auto& pair : params) {
    sorted.push_back(&pair);
    length += pair.first.size() + pair.second.size();
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
  sorted.erase(std::unique(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a == *b; }),
               sorted.end());
  std::string text;
  text.reserve(length);
  for (const auto* pair : sorted) {
    text += pair->first;
    text += pair->second;
  }
  return text;
}

std::string signature_of(const std::string& auth_token, const std::string& url, const std::string& params_text) {
  const std::string data = url + params_text;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &digest_length);
  return base64(digest, digest_length);
}

}  // namespace

std::string compute_signature(const std::string& auth_token, const std::string& url, const SignedParams& params) {
  return signature_of(auth_token, url, signed_params_text(params));
}

std::vector<std::string> url_variants(const std::string& url) {
  std::vector<std::string> variants{url};
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return variants;
  const size_t authority_start = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string::npos) authority_end = url.size();
  const std::string authority = url.substr(authority_start, authority_end - authority_start);
  // The port follows the last ':' after any userinfo ("user:pass@host:443").
  const size_t host_start = authority.rfind('@') == std::string::npos ? 0 : authority.rfind('@') + 1;
  const size_t colon = authority.find(':', host_start);
  const std::string default_port = default_port_for(url.substr(0, scheme_end));
  std::string twin_authority;
  if (colon == std::string::npos) {
    twin_authority = authority + ":" + default_port;
  } else if (authority.substr(colon + 1) == default_port) {
    twin_authority = authority.substr(0, colon);
  } else {
    return variants;
  }
  variants.push_back(url.substr(0, authority_start) + twin_authority + url.substr(authority_end));
  return variants;
}

bool SignatureValidator::valid(const std::string& url, const SignedParams& params,
                               const std::string& signature) const {
  if (signature.empty()) return false;
  bool matched = false;
  const std::string params_text = signed_params_text(params);
  for (const std::string& candidate : url_variants(url)) {
    const std::string expected = signature_of(auth_token_, candidate, params_text);
    // Every candidate is compared, matched or not, so timing does not reveal which variant matched.
    if (expected.size() == signature.size() &&
        CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0) {
      matched = true;
    }
  }
  return matched;
}

}  // namespace switchboard::twilio
