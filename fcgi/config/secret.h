// Secrets (the Twilio auth token, the database password, the notification webhook's key), read the same way by
// every Switchboard program: NAME, else the file named by NAME_FILE, else the systemd credential
// $CREDENTIALS_DIRECTORY/<credential>. A file that is named (or present in the credentials directory) but cannot be
// read, or holds nothing but whitespace, stops start-up: an empty token would make HMAC keyed with "" and accept
// every forged webhook. Errors name the variable and the file, never the secret. To add a secret: call
// read_secret() with its variable and credential name, validate the value beside it, add a README row.
#pragma once

#include <optional>
#include <string>

#include "config/settings.h"

namespace switchboard::config {

struct Secret {
  std::string value;
  // Where it came from, as ConfigError names it: NAME, NAME_FILE or CREDENTIALS_DIRECTORY/<credential>.
  std::string source;
  // The file it was read from; empty when it came from NAME itself. Shown in messages, the value never is.
  std::string path;
};

// The secret from the first source that is set, or nullopt when none is. A blank NAME or NAME_FILE counts as unset
// (as for every other variable); a credential counts only when its file exists. A file's trailing newlines are
// dropped (editors add one); anything else in it is the secret. Throws ConfigError naming the source when a file
// cannot be read, is empty or holds only whitespace.
std::optional<Secret> read_secret(const EnvLookup& env, const std::string& name, const std::string& credential);

// Twilio's auth token from TWILIO_AUTH_TOKEN, TWILIO_AUTH_TOKEN_FILE or the credential twilio-auth-token: exactly 32
// hex digits, the format Twilio issues. Throws ConfigError naming the source when it is missing or malformed.
std::string twilio_auth_token(const EnvLookup& env);

// Throws ConfigError naming token.source unless token.value is 32 hex digits. The message says what is wrong
// (length, a character that is not a hex digit), never the value.
void check_twilio_auth_token(const Secret& token);

}  // namespace switchboard::config
