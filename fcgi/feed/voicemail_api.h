// Voicemail playback and the "heard" marker. The audio is fetched from Twilio once (with the account's credentials,
// which never reach the browser) — normally by switchboard-notify when the recording completes, by the play itself
// when it comes first — cached under the state directory, and handed to nginx with X-Accel-Redirect so nginx serves
// it with Range support (seeking). Marking heard is a state change: it requires a JSON body and a
// custom header, which a cross-site form cannot send.
#pragma once

#include <chrono>
#include <functional>

#include "http/request.h"
#include "http/response.h"
#include "store/call_store.h"
#include "twilio/recording_fetcher.h"

namespace switchboard::feed {

inline constexpr char kRecordingsInternalPath[] = "/internal/recordings/";  // nginx's internal location

class VoicemailApi {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // Writes "who did what" to the audit log (feed/account_api.h): voicemail_played, voicemail_heard,
  // voicemail_unheard, with the call SID as the target.
  using Audit = std::function<void(const http::Request&, const std::string& action, const std::string& sid)>;
  VoicemailApi(store::CallStore& store, const twilio::RecordingFetcher& fetcher, Clock clock, Audit audit = {})
      : store_(store), fetcher_(fetcher), clock_(std::move(clock)), audit_(std::move(audit)) {}

  // GET /api/calls/{sid}/voicemail. A play is audited once: the audio element's later range requests (seeking, or
  // the rest of the file) are not new plays.
  http::Response audio(const http::Request& request, const std::string& sid);
  // POST /api/calls/{sid}/voicemail/heard  {"heard": true|false}
  http::Response mark_heard(const http::Request& request, const std::string& sid);

 private:
  store::CallStore& store_;
  const twilio::RecordingFetcher& fetcher_;
  Clock clock_;
  Audit audit_;
};

}  // namespace switchboard::feed
