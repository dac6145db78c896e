// What a simulated call is pointed at (Options) and what the people on it do (Scenario).
// Both are plain data read by the simulator, never changed by it. To let the caller do something new, add a field
// to Scenario and read it in the verb that consumes it (leg.cc for Gather, dial.cc, record.cc).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace callsim {

struct Options {
  std::string base_url;          // where requests go, e.g. https://127.0.0.1:8443 (webhook paths are appended)
  std::string signing_base_url;  // the public URL Twilio would call; requests are signed as this + path. Empty =
                                 // base_url. Absolute TwiML URLs under it are sent to base_url instead. Signed
                                 // exactly as given (Twilio itself drops an https port before signing).
  std::string account_sid, auth_token;
  std::string twilio_number = "+15005550006";  // the "To" of the incoming call
  std::string voice_path = "/twilio/voice";
  std::string status_callback_path = "/twilio/call-status";
  bool insecure_tls = false;  // accept self-signed local certificates
  std::string ca_file;
  double webhook_timeout_s = 15.0;  // Twilio's hard limit; a slower answer is an error
};

struct Scenario {
  std::string from = "+14155550100";
  std::string caller_name, from_city, from_state, from_country;  // empty = not sent
  // One per <Gather> on the caller's leg: a digit string, "" (silence: fall through) or "hangup". When they run
  // out, the caller stays silent.
  std::vector<std::string> presses;
  // Outcome of a <Dial>: answered, declined, voicemail, no-answer, busy, failed, canceled (see dial.cc).
  std::string dial = "answered";
  // The outcome of one dialled number (E.164, as in the <Number>), overriding dial for it: with several phones
  // ringing at once, or one after the other through chained <Dial>s, each can answer differently.
  std::map<std::string, std::string> dial_by_number;
  int talk_seconds = 30;    // DialCallDuration when bridged
  int record_seconds = 12;  // length of the voicemail left at <Record>
  bool hangup_during_record = false;
  bool duplicate_callbacks = false;  // send every asynchronous callback twice
  bool reorder_callbacks = false;    // also send ringing/in-progress after completed, with lower SequenceNumber
  std::string call_sid;              // empty = random
};

// The values Scenario::dial and Scenario::dial_by_number accept.
bool is_dial_outcome(const std::string& outcome);

// How number answers: its dial_by_number entry, else Scenario::dial.
const std::string& dial_outcome(const Scenario& scenario, const std::string& number);

}  // namespace callsim
