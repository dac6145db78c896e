// Token generation and digests with OpenSSL.
#include "auth/tokens.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace switchboard::auth {

std::string new_token(const std::string& prefix) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a token");
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = prefix;
  // base64url of 32 bytes: 10 full groups of 3 bytes, then 2 bytes as 3 characters.
  for (size_t i = 0; i + 2 < sizeof bytes; i += 3) {
    const unsigned value = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) token += kAlphabet[(value >> shift) & 63];
  }
  const unsigned tail = bytes[30] << 8 | bytes[31];
  token += kAlphabet[(tail >> 10) & 63];
  token += kAlphabet[(tail >> 4) & 63];
  token += kAlphabet[(tail << 2) & 63];
  return token;
}

std::string token_digest(const std::string& token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

bool plausible_token(const std::string& token) {
  std::string body = token;
  if (body.rfind(kApiTokenPrefix, 0) == 0) body.erase(0, sizeof kApiTokenPrefix - 1);
  if (body.size() != 43) return false;
  for (const char c : body) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace switchboard::auth
