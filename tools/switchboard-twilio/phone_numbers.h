// Twilio's IncomingPhoneNumbers resource (twilio-contract.md §9, §13): find a number of the account, update its
// voice webhooks and the settings that decide whether they are used (receive mode, API version, caller-name lookup).
// Twilio's field names live here and nowhere else: the form parameters (PascalCase) we send and the resource fields
// (snake_case) we read back. A new setting: a field in PhoneNumber, its parameter in VoiceConfiguration::form(),
// its check in differences(), a line in main.cc's print().
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rest_client.h"

namespace switchboard_twilio {

struct PhoneNumber {
  std::string sid;  // PN…
  std::string phone_number;
  std::string friendly_name;
  std::string voice_url;
  std::string voice_method;
  std::string voice_fallback_url;
  std::string voice_fallback_method;
  std::string status_callback;
  std::string status_callback_method;
  std::string voice_application_sid;  // when set, Twilio ignores the voice URLs
  std::string trunk_sid;              // when set, Twilio ignores everything above
  std::string voice_receive_mode;     // "voice" or "fax": a number in fax mode ignores the voice URLs
  std::string api_version;            // the parameter set of the webhooks Twilio sends for calls to the number
  bool voice_caller_id_lookup = false;  // Twilio looks up each caller's name (CallerName), billed per lookup
};

// Twilio answered, but not with what we asked for. `status` is the HTTP status, 0 for a malformed answer.
class ApiError : public std::runtime_error {
 public:
  ApiError(long status, const std::string& message) : std::runtime_error(message), status_(status) {}
  long status() const { return status_; }

 private:
  long status_;
};

// The webhooks Switchboard answers, all POST. The fallback URL is the voice URL of the fallback host: on one host
// the same URL again (nginx answers it with the fallback TwiML when the worker pool is down, and Twilio tries it when
// the first request failed or timed out); with two hosts behind a balancer, host B's own, so that a caller whose
// request found the balancer or host A dead is answered by another machine. Connection overrides, when configured,
// ride on the voice URL and the status callback as a URL fragment (how often Twilio retries them).
// Besides the URLs, what makes Twilio use them as Switchboard reads them: receive mode voice, API version
// 2010-04-01. The caller-name lookup is the operator's choice (it costs money): nullopt leaves it as it is.
struct VoiceConfiguration {
  static constexpr char kReceiveMode[] = "voice";
  static constexpr char kApiVersion[] = "2010-04-01";

  std::string voice_url;
  std::string voice_fallback_url;
  std::string status_callback;
  std::optional<bool> caller_name_lookup;

  // `fallback_base_url` empty = public_base_url; `overrides` empty = Twilio's defaults.
  static VoiceConfiguration for_server(const std::string& public_base_url,
                                       std::optional<bool> caller_name_lookup = std::nullopt,
                                       const std::string& fallback_base_url = "", const std::string& overrides = "");
  // The form for the update; clears VoiceApplicationSid when the number has one, or the URLs would be ignored;
  // always sets VoiceReceiveMode and ApiVersion (see phone_numbers.cc for why, rather than refusing).
  Form form(const PhoneNumber& current) const;
  // What in `number` differs from this configuration, one line each ("VoiceUrl is …, expected …"); empty when none.
  std::vector<std::string> differences(const PhoneNumber& number) const;
};

class PhoneNumbers {
 public:
  PhoneNumbers(RestClient& client, std::string account_sid) : client_(client), account_sid_(std::move(account_sid)) {}

  // The number, by exact E.164 match (Twilio's PhoneNumber filter also matches partially). Throws ApiError, with
  // status 404, when the account has no such number.
  PhoneNumber find(const std::string& e164);
  PhoneNumber update(const std::string& sid, const Form& form);

 private:
  std::string collection_path() const;

  RestClient& client_;
  std::string account_sid_;
};

}  // namespace switchboard_twilio
