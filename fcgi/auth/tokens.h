// Session and API tokens: 256 random bits, given to the client once and stored only as their SHA-256 digest. An
// unkeyed digest is enough: a token has 256 bits of entropy, so a leaked table of digests cannot be searched back to
// tokens (unlike passwords, which need the slow KDF of auth/password.h), and checking one costs about a microsecond.
#pragma once

#include <string>

namespace switchboard::auth {

// Session cookie values are the bare token; API tokens carry this prefix so a leaked one is recognisable (secret
// scanners, logs) and cannot be mistaken for a session.
inline constexpr char kApiTokenPrefix[] = "sbt_";

// 32 random bytes from OpenSSL's CSPRNG, base64url without padding (43 characters), after `prefix`.
std::string new_token(const std::string& prefix = "");

// SHA-256 of the token, 64 lowercase hex digits: what the database stores and looks up.
std::string token_digest(const std::string& token);

// A cookie or bearer value shaped like one of our tokens (so garbage never reaches the database).
bool plausible_token(const std::string& token);

}  // namespace switchboard::auth
