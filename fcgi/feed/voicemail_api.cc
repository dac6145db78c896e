// Voicemail endpoints.
#include "feed/voicemail_api.h"

#include <rapidjson/document.h>

#include <iostream>

#include "feed/call_json.h"
#include "feed/calls_api.h"

namespace switchboard::feed {

namespace {

// The first request of a play asks for the whole file or from its first byte.
bool starts_a_play(const http::Request& request) {
  return request.range.empty() || request.range.rfind("bytes=0-", 0) == 0;
}

http::Response accel_redirect(const std::string& recording_sid) {
  http::Response response;
  response.status = 200;
  response.content_type = "audio/mpeg";
  response.headers.emplace_back("X-Accel-Redirect", std::string(kRecordingsInternalPath) + recording_sid + ".mp3");
  return response;
}

}  // namespace

http::Response VoicemailApi::audio(const http::Request& request, const std::string& sid) {
  if (auto refusal = require_user(request)) return *refusal;
  std::optional<store::CallRow> call;
  try {
    call = store_.find_call(sid);
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  if (!call || !call->recording_sid) return http::Response::json_error(404, "this call has no voicemail");
  const std::string& recording = *call->recording_sid;
  if (!twilio::RecordingFetcher::valid_sid(recording)) return http::Response::json_error(404, "this call has no voicemail");
  // Deleted by the retention purge: gone for good, so 410, and never fetched from Twilio again (which may have
  // deleted its copy too, and must not be billed for storing one the purge removed on purpose).
  if (call->recording_deleted_at_ms) {
    return http::Response::json_error(410, "this voicemail's audio was deleted (retention)");
  }
  const auto played = [&] {
    if (audit_ && starts_a_play(request)) audit_(request, "voicemail_played", sid);
    return accel_redirect(recording);
  };
  // Normally a hit: switchboard-notify fetches each recording as soon as it completes. Before that (or when the
  // notifier is behind, or runs on another host), the play fetches it, into the same cache.
  if (fetcher_.cached(recording)) return played();
  if (call->recording_deleted_at_twilio_ms) {
    return http::Response::json_error(410, "this voicemail's audio was deleted at Twilio and is not on this host");
  }
  if (call->recording_status && *call->recording_status != "completed") {
    return http::Response::json_error(409, "the recording is " + *call->recording_status + ", not playable");
  }
  const twilio::FetchOutcome outcome = fetcher_.fetch(recording);
  switch (outcome.result) {
    case twilio::FetchResult::kStored:
      return played();
    case twilio::FetchResult::kNotAvailable:
      return http::Response::json_error(409, "the recording is not available from Twilio yet; try again shortly");
    case twilio::FetchResult::kFailed:
      break;
  }
  std::cerr << "switchboard: voicemail " << recording << " of " << sid << ": " << outcome.detail << "\n";
  return http::Response::json_error(502, "could not fetch the recording from Twilio");
}

http::Response VoicemailApi::mark_heard(const http::Request& request, const std::string& sid) {
  if (auto refusal = require_user(request)) return *refusal;
  // A cross-site form can post neither a JSON content type nor a custom header without a CORS preflight.
  if (request.content_type.rfind("application/json", 0) != 0 || request.custom_request_header.empty()) {
    return http::Response::json_error(415, "send Content-Type: application/json and X-Requested-With");
  }
  rapidjson::Document body;
  body.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(request.body.data(),
                                                                                     request.body.size());
  if (body.HasParseError() || !body.IsObject() || !body.HasMember("heard") || !body["heard"].IsBool()) {
    return http::Response::json_error(400, "body must be {\"heard\": true} or {\"heard\": false}");
  }
  const bool heard = body["heard"].GetBool();
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
  std::optional<store::CallRow> call;
  try {
    if (!store_.set_voicemail_heard(sid, heard ? std::optional<std::int64_t>(now_ms) : std::nullopt)) {
      return http::Response::json_error(404, "this call has no voicemail");
    }
    call = store_.find_call(sid);
  } catch (const store::Unavailable&) {
    return store_unavailable();
  }
  if (!call) return http::Response::json_error(404, "no such call");
  if (audit_) audit_(request, heard ? "voicemail_heard" : "voicemail_unheard", sid);
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  write_call(writer, *call);
  return http::Response::json(200, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace switchboard::feed
