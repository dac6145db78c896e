// One handler per Twilio endpoint: http::Request in, http::Response out. Each decodes Twilio's parameters, asks
// ivr/ what to answer under the routing in force (routing/snapshot.h: a file, never the database), records the event
// with the rule that decided it (store, or spool when the database is down) and returns the TwiML.
// authenticate() runs before any of them (server/ calls it once per /twilio/* request): a bad signature is
// refused with 403 before anything is read or stored.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "config/settings.h"
#include "http/request.h"
#include "http/response.h"
#include "ivr/call_flow.h"
#include "routing/snapshot.h"
#include "twilio/signature.h"
#include "webhooks/event_log.h"

namespace switchboard::webhooks {

using Clock = std::function<std::chrono::system_clock::time_point()>;

class Webhooks {
 public:
  Webhooks(const config::Settings& settings, routing::Snapshot& routing, EventLog& events, Clock clock);

  // nullopt when the request carries a valid X-Twilio-Signature for the public URL; otherwise the 403 to send.
  std::optional<http::Response> authenticate(const http::Request& request) const;

  http::Response incoming_call(const http::Request& request);
  http::Response menu(const http::Request& request);
  http::Response screen(const http::Request& request);
  http::Response screen_result(const http::Request& request);
  http::Response fallback_screen_result(const http::Request& request);
  http::Response dial_result(const http::Request& request);
  http::Response voicemail_done(const http::Request& request);
  http::Response recording_status(const http::Request& request);
  http::Response transcription(const http::Request& request);
  http::Response call_status(const http::Request& request);
  // Twilio's delivery report of an SMS the notifier sent (?call=CA…&notification=N): 204, the row moves forward.
  http::Response message_status(const http::Request& request);

 private:
  // The event a request is, as received (its kind, our query string, Twilio's parameters, its time).
  store::Event event_of(const http::Request& request, const char* event_kind) const;
  // Guards (CallSid present), builds the event, records it with the decision, answers the TwiML (or 204 when the
  // endpoint is a callback whose body Twilio ignores).
  http::Response handle(const http::Request& request, const char* kind, const std::function<ivr::Decision()>& decide,
                        bool answers_twiml = true);

  const config::Settings& settings_;
  routing::Snapshot& routing_;
  EventLog& events_;
  Clock clock_;
  twilio::SignatureValidator validator_;
};

}  // namespace switchboard::webhooks
