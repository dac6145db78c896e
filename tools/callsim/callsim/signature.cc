// See signature.h. std::map/std::set give the byte-wise ordering Twilio specifies ("Unix-style case-sensitive"),
// and sorting by name alone, not name+value, is the point of the contract's wrong-sort test vector.
#include "callsim/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <set>

namespace callsim {

std::string sign(const std::string& auth_token, const std::string& url,
                 const std::vector<std::pair<std::string, std::string>>& post_params) {
  std::map<std::string, std::set<std::string>> sorted;
  for (const auto& [name, value] : post_params) sorted[name].insert(value);

  std::string data = url;
  for (const auto& [name, values] : sorted) {
    for (const auto& value : values) data += name + value;
  }

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &digest_length);

  unsigned char base64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int length = EVP_EncodeBlock(base64, digest, static_cast<int>(digest_length));
  return std::string(reinterpret_cast<const char*>(base64), static_cast<size_t>(length));
}

}  // namespace callsim
