// Password hashing for feed accounts: yescrypt from libxcrypt (Debian's own default for /etc/shadow), never a
// home-made construction. Hashing costs ~12 ms by design, so it runs only at sign-in and password changes; every
// other request is authenticated by a session or API token (auth/tokens.h), whose check costs microseconds.
#pragma once

#include <optional>
#include <string>

namespace switchboard::auth {

// A fresh "$y$…" hash of `password` with a random salt at the library's default cost. Throws std::runtime_error
// when libxcrypt cannot hash (no randomness, out of memory).
std::string hash_password(const std::string& password);

// Whether `password` matches `stored` (a hash_password() result), compared in constant time. A malformed or
// unsupported stored hash never matches.
bool verify_password(const std::string& password, const std::string& stored);

// Spends the time of one verification against a fixed hash: sign-in runs it for a user name that does not exist,
// so the answer's timing does not tell which names do.
void verify_password_of_nobody(const std::string& password);

// Why a new password is refused, or nullopt when it is acceptable: empty, shorter than 10 characters, longer than
// 1024 bytes, the user's own name, or one character repeated.
std::optional<std::string> weak_password_reason(const std::string& password, const std::string& user_name);

}  // namespace switchboard::auth
