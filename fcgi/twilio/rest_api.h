// Twilio's REST API (2010-04-01) as the background jobs use it: a form body for POSTs, JSON answers. One libcurl
// request per call, set up by twilio::rest_handle like every request to Twilio (basic auth with the account SID and
// auth token, one timeout that includes connecting); the API base URL is configurable so tests use a fake Twilio. What each resource's JSON means is read
// by the parse_* functions, so the notifier and the reconciler never touch RapidJSON themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::twilio {

struct ApiAnswer {
  long status = 0;                   // HTTP status; 0 when no answer came
  std::string body;                  // at most 1 MiB of it
  std::optional<std::string> error;  // transport failure (unreachable, timeout): status is 0 then
  bool ok() const { return !error && status >= 200 && status < 300; }
  // "HTTP 500: {…first 200 bytes…}" or the transport error, for logs and timelines.
  std::string describe() const;
};

class RestApi {
 public:
  RestApi(std::string api_base, std::string account_sid, std::string auth_token, long timeout_s)
      : api_base_(std::move(api_base)),
        account_sid_(std::move(account_sid)),
        auth_token_(std::move(auth_token)),
        timeout_s_(timeout_s) {}

  // `path` below /2010-04-01/Accounts/{AccountSid}/, e.g. "Calls/CA….json".
  ApiAnswer get(const std::string& path) const;
  ApiAnswer post_form(const std::string& path, const std::vector<std::pair<std::string, std::string>>& form) const;

 private:
  using Form = std::vector<std::pair<std::string, std::string>>;
  ApiAnswer perform(const std::string& path, const Form* form) const;

  std::string api_base_, account_sid_, auth_token_;
  long timeout_s_;
};

// A Call resource (GET Calls/{Sid}.json): status as in the CallStatus parameter, duration in seconds (Twilio sends
// it as a string, or null while the call lasts), start and end as RFC 2822 text as Twilio wrote them.
struct CallResource {
  std::string sid, status;
  std::optional<std::string> duration, start_time, end_time;
};
std::optional<CallResource> parse_call(const std::string& json);

// A Recording resource (GET Recordings/{Sid}.json).
struct RecordingResource {
  std::string sid, call_sid, status;
  std::optional<std::string> duration;
};
std::optional<RecordingResource> parse_recording(const std::string& json);

// A Message resource (the answer to POST Messages.json).
struct MessageResource {
  std::string sid, status;
};
std::optional<MessageResource> parse_message(const std::string& json);

// Call (CA), recording (RE) and message (SM/MM) SIDs: two letters and 32 hex digits, the only shape that becomes part
// of a URL path.
bool valid_sid(const std::string& sid, const char* prefix);

}  // namespace switchboard::twilio
