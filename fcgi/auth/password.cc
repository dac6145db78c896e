// yescrypt through libxcrypt's re-entrant calls (crypt_gensalt_ra allocates; stack-notes §11: the _rn form with a
// caller buffer returned NULL in a probe).
#include "auth/password.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace switchboard::auth {

namespace {

// crypt_r's state is ~32 KiB: on the heap, not the stack of a worker.
std::optional<std::string> crypt_with(const std::string& password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  const char* result = crypt_r(password.c_str(), setting.c_str(), data.get());
  // libxcrypt answers a failure with a string starting with '*' (never a valid hash), or NULL.
  if (result == nullptr || result[0] == '*') return std::nullopt;
  return std::string(result);
}

}  // namespace

std::string hash_password(const std::string& password) {
  char* setting = crypt_gensalt_ra("$y$", 0, nullptr, 0);
  if (setting == nullptr) throw std::runtime_error("libxcrypt could not make a yescrypt salt");
  const std::string salt(setting);
  std::free(setting);
  std::optional<std::string> hashed = crypt_with(password, salt);
  if (!hashed) throw std::runtime_error("libxcrypt could not hash the password");
  return *hashed;
}

bool verify_password(const std::string& password, const std::string& stored) {
  if (stored.rfind("$y$", 0) != 0) return false;
  const std::optional<std::string> hashed = crypt_with(password, stored);
  return hashed && hashed->size() == stored.size() && CRYPTO_memcmp(hashed->data(), stored.data(), stored.size()) == 0;
}

void verify_password_of_nobody(const std::string& password) {
  // A real yescrypt hash at the default cost (of a random password nobody knows), made once per process.
  static const std::string nobody = hash_password("switchboard: no such user");
  (void)verify_password(password, nobody);
}

std::optional<std::string> weak_password_reason(const std::string& password, const std::string& user_name) {
  if (password.empty()) return "the password is empty";
  if (password.size() > 1024) return "the password is longer than 1024 bytes";
  size_t characters = 0;
  for (const unsigned char c : password) characters += (c & 0xC0) != 0x80;  // UTF-8 lead bytes
  if (characters < 10) return "the password is shorter than 10 characters";
  if (password == user_name) return "the password is the user name";
  if (password.find_first_not_of(password[0]) == std::string::npos) return "the password is one character repeated";
  return std::nullopt;
}

}  // namespace switchboard::auth
