// The webhook handlers. Guard clauses first (signature in authenticate(), then CallSid), then the decision, then
// the record. The decision never waits on the database.
#include "webhooks/webhooks.h"

#include <iostream>

#include "ivr/call_flow.h"
#include "ivr/office_hours.h"
#include "twilio/params.h"
#include "webhooks/call_update.h"

namespace switchboard::webhooks {

namespace param = twilio::param;

namespace {

std::string form(const http::Request& request, const char* name) { return request.form_value(name).value_or(""); }

std::string raw_query(const http::Request& request) {
  const size_t mark = request.request_uri.find('?');
  return mark == std::string::npos ? "" : request.request_uri.substr(mark + 1);
}

}  // namespace

Webhooks::Webhooks(const config::Settings& settings, routing::Snapshot& routing, EventLog& events, Clock clock)
    : settings_(settings),
      routing_(routing),
      events_(events),
      clock_(std::move(clock)),
      validator_(settings.auth_token) {}

std::optional<http::Response> Webhooks::authenticate(const http::Request& request) const {
  // The URL Twilio signed is the public one it was given, never what the Host header says behind nginx: the
  // balancer's, or this host's own when Twilio came here as the number's VoiceFallbackUrl.
  if (validator_.valid(settings_.public_base_url + request.request_uri, request.form, request.twilio_signature)) {
    return std::nullopt;
  }
  if (!settings_.fallback_base_url.empty() &&
      validator_.valid(settings_.fallback_base_url + request.request_uri, request.form, request.twilio_signature)) {
    return std::nullopt;
  }
  std::cerr << "switchboard: rejected " << request.method << " " << request.path
            << (request.twilio_signature.empty() ? ": no X-Twilio-Signature" : ": bad X-Twilio-Signature") << "\n";
  return http::Response::text(403, "invalid or missing X-Twilio-Signature\n");
}

store::Event Webhooks::event_of(const http::Request& request, const char* event_kind) const {
  store::Event event;
  event.kind = event_kind;
  event.url_query = raw_query(request);
  event.params = request.form;
  event.call_sid = owning_call_sid(event.kind, event.params);
  // A request nginx kept while no worker answered carries the time nginx received it: the call happened then.
  event.received_at_ms = request.received_at_ms.value_or(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count());
  return event;
}

http::Response Webhooks::handle(const http::Request& request, const char* event_kind,
                                const std::function<ivr::Decision()>& decide, bool answers_twiml) {
  if (form(request, param::kCallSid).empty()) return http::Response::text(400, "missing CallSid\n");

  const ivr::Decision decided = decide();
  store::Event event = event_of(request, event_kind);
  event.menu_choice = decided.menu_choice;
  event.forwarded_to = decided.forwarded_to;
  event.routing_rule = decided.rule;
  event.routing_detail = decided.rule_detail;
  if (decided.text_back) event.text_back = true;
  events_.record(event, update_for(event));

  if (!answers_twiml) return http::Response::empty(204);
  return http::Response::xml(decided.twiml);
}

namespace {

// The step of ours whose request failed, from a fallback request's ErrorUrl ("https://host/twilio/voice/menu?…"):
// nullptr when it names none, or the incoming call itself.
const ivr::route::Step* failed_step(const std::string& error_url) {
  const size_t scheme = error_url.find("://");
  if (scheme == std::string::npos) return nullptr;
  const size_t path = error_url.find('/', scheme + 3);
  if (path == std::string::npos) return nullptr;
  const size_t end = error_url.find_first_of("?#", path);
  const ivr::route::Step* step = ivr::route::find(std::string_view(error_url).substr(path, end - path));
  return step == &ivr::route::kVoice ? nullptr : step;
}

}  // namespace

http::Response Webhooks::incoming_call(const http::Request& request) {
  return handle(request, kind::kVoice, [&] {
    const routing::Routing& routing = routing_.current().routing;
    // Twilio's VoiceFallbackUrl is this step's URL: when a later step of the call failed (its host died under the
    // request), the caller goes on with that step's own continuation — the one nginx gives when no worker answers,
    // which never dials anyone twice — not with the menu from the start.
    if (const ivr::route::Step* failed = failed_step(form(request, param::kErrorUrl))) {
      ivr::Decision decision;
      decision.twiml = ivr::fallback_twiml(settings_, routing, failed->fallback).value_or(ivr::empty_response());
      return decision;
    }
    const ivr::OfficeClock clock =
        ivr::office_clock(routing.office_hours.hours, routing.office_hours.time_zone,
                          std::chrono::system_clock::to_time_t(clock_()));
    return ivr::incoming_call(settings_, routing, form(request, param::kFrom), clock);
  });
}

http::Response Webhooks::menu(const http::Request& request) {
  return handle(request, kind::kMenu, [&] {
    const routing::Routing& routing = routing_.current().routing;
    const int attempt = ivr::parse_attempt(request.query_value("attempt"), routing.menu.attempts);
    return ivr::menu_choice(settings_, routing, form(request, param::kFrom), form(request, param::kDigits), attempt);
  });
}

http::Response Webhooks::screen(const http::Request& request) {
  return handle(request, kind::kScreen, [&] {
    return ivr::answer(ivr::screen(settings_, form(request, param::kFrom)));
  });
}

http::Response Webhooks::screen_result(const http::Request& request) {
  return handle(request, kind::kScreenResult, [&] {
    // On the forwarded leg, To is the phone that answered.
    return ivr::screen_result(form(request, param::kDigits), form(request, param::kTo));
  });
}

http::Response Webhooks::fallback_screen_result(const http::Request& request) {
  // nginx answered this step itself (it bridged); a worker only logs what it kept.
  return handle(request, kind::kFallbackScreenResult, [&] {
    return ivr::answer(
        *ivr::fallback_twiml(settings_, routing_.current().routing, ivr::route::kFallbackScreenResult.fallback));
  });
}

http::Response Webhooks::dial_result(const http::Request& request) {
  return handle(request, kind::kDialResult, [&] {
    const routing::Routing& routing = routing_.current().routing;
    const bool bridged =
        ivr::dial_bridged(form(request, param::kDialCallStatus), request.form_value(param::kDialBridged));
    const std::optional<int> target =
        ivr::parse_target(request.query_value("target"), static_cast<int>(routing.forward.targets.size()));
    return ivr::dial_result(settings_, routing, form(request, param::kFrom), bridged, target);
  });
}

http::Response Webhooks::voicemail_done(const http::Request& request) {
  return handle(request, kind::kVoicemailDone, [&] {
    return ivr::answer(ivr::voicemail_done(settings_));
  });
}

http::Response Webhooks::recording_status(const http::Request& request) {
  return handle(request, kind::kRecordingStatus, [] { return ivr::Decision{}; }, false);
}

http::Response Webhooks::transcription(const http::Request& request) {
  return handle(request, kind::kTranscription, [] { return ivr::Decision{}; }, false);
}

http::Response Webhooks::call_status(const http::Request& request) {
  return handle(request, kind::kCallStatus, [] { return ivr::Decision{}; }, false);
}

}  // namespace switchboard::webhooks

namespace switchboard::webhooks {

http::Response Webhooks::message_status(const http::Request& request) {
  // The callback names the message, not the call: the URL the notifier gave Twilio names both the call and the
  // notification row (notify/notifier.h).
  store::Event event = event_of(request, kind::kMessageStatus);
  event.call_sid = request.query_value("call").value_or("");
  if (event.call_sid.empty() || event.call_sid.size() > 64) {
    return http::Response::text(400, "missing call in the URL\n");
  }
  const store::CallUpdate update = update_for(event);
  if (!update.message_receipt) {
    return http::Response::text(400, "missing MessageSid, MessageStatus or the URL's notification\n");
  }
  events_.record(event, update);
  return http::Response::empty(204);
}

}  // namespace switchboard::webhooks
