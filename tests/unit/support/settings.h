// Settings for tests of the call flow and the handlers: every value differs from its default, so a test that
// sees it in the output proves the setting was used rather than a literal.
#pragma once

#include <string>

#include "config/settings.h"
#include "ivr/call_flow.h"
#include "routing/routing.h"

namespace switchboard::test {

inline constexpr char kBaseUrl[] = "https://voice.example.com";
inline constexpr char kForwardTo[] = "+14155550100";
inline constexpr char kCaller[] = "+14155550123";
inline constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";

inline config::Settings test_settings() {
  config::Settings settings;
  settings.public_base_url = kBaseUrl;
  settings.account_sid = kAccountSid;
  settings.auth_token = "12345";
  settings.forward_to = kForwardTo;
  config::Ivr& ivr = settings.ivr;
  ivr.company_name = "Acme Plumbing";
  ivr.voice = "Polly.Amy";
  ivr.language = "en-GB";
  ivr.menu_prompt = "Thank you for calling Acme Plumbing. For a plumber, press 1. For voicemail, press 2.";
  ivr.closed_prompt = "Acme Plumbing is closed.";
  ivr.voicemail_prompt = "Leave a message after the beep.";
  ivr.invalid_choice_prompt = "Sorry, that is not a valid choice.";
  ivr.thanks_prompt = "Thanks, goodbye.";
  ivr.menu_attempts = 3;
  ivr.menu_timeout_s = 7;
  ivr.dial_timeout_s = 25;
  ivr.voicemail_max_length_s = 90;
  ivr.screening = true;
  ivr.transcribe = false;
  return settings;
}

// The routing document the settings give before any change is saved: the tests' settings change it like the
// environment did.
inline routing::Routing routing_of(const config::Settings& settings) { return routing::initial_routing(settings); }

// The office's clock on an ordinary day, open or closed.
inline ivr::OfficeClock office(bool open, const std::string& date = "2026-12-02") { return ivr::OfficeClock{date, open}; }

}  // namespace switchboard::test
