// Sends an SMS through Twilio's Messages REST API (POST /2010-04-01/Accounts/{AC}/Messages.json, HTTP basic auth
// with the account SID and auth token). libcurl; the API base URL is configurable so tests use a fake on loopback.
// The timeout bounds the whole request, connecting included: the notifier's claim lease is derived from it.
#pragma once

#include <optional>
#include <string>

namespace switchboard::twilio {

class MessagesClient {
 public:
  MessagesClient(std::string api_base, std::string account_sid, std::string auth_token, long timeout_s)
      : api_base_(std::move(api_base)),
        account_sid_(std::move(account_sid)),
        auth_token_(std::move(auth_token)),
        timeout_s_(timeout_s) {}

  // nullopt when Twilio accepted the message; otherwise what went wrong (for the log and the call's timeline).
  std::optional<std::string> send(const std::string& to, const std::string& from, const std::string& body) const;

 private:
  std::string api_base_, account_sid_, auth_token_;
  long timeout_s_;
};

}  // namespace switchboard::twilio
