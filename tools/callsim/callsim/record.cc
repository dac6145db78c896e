// See record.h. Twilio sends the callbacks asynchronously once the recording is stored; here they follow the
// action request at once, which is the earliest a real one could arrive. After a hangup the action is still
// requested (Digits=hangup, CallStatus=completed) but whatever it answers is never run.
#include "callsim/record.h"

#include <algorithm>
#include <string>
#include <vector>

#include "callsim/twiml.h"

namespace callsim {
namespace {

// Twilio only transcribes recordings longer than 2 s and shorter than 120 s.
constexpr int kMinTranscribedSeconds = 3;
constexpr int kMaxTranscribedSeconds = 119;

struct Recording {
  std::string sid, url, duration, start_time;
};

void send_transcription(Leg& caller, const pugi::xml_node& record, const Recording& recording, int seconds) {
  if (std::string(record.attribute("transcribe").value()) != "true" || !record.attribute("transcribeCallback")) {
    return;
  }
  if (seconds < kMinTranscribedSeconds || seconds > kMaxTranscribedSeconds) return;
  const std::string url = caller.absolute_url(record, "transcribeCallback",
                                              record.attribute("transcribeCallback").value());
  const std::string sid = Session::new_sid("TR");
  Params params = {{"TranscriptionSid", sid},
                   {"TranscriptionText", "Hello, this is a simulated voicemail message."},
                   {"TranscriptionStatus", "completed"},
                   {"TranscriptionUrl", recording.url + "/Transcriptions/" + sid},
                   {"RecordingSid", recording.sid},
                   {"RecordingUrl", recording.url}};
  for (const char* name : {"CallSid", "AccountSid", "From", "To", "CallStatus", "ApiVersion", "Direction"}) {
    params[name] = caller.params().at(name);
  }
  caller.session().callback("POST", url, params);
}

void send_recording_status(Leg& caller, const pugi::xml_node& record, const Recording& recording) {
  if (!record.attribute("recordingStatusCallback")) return;
  const std::string url = caller.absolute_url(record, "recordingStatusCallback",
                                              record.attribute("recordingStatusCallback").value());
  const Params params = {{"AccountSid", caller.params().at("AccountSid")},
                         {"CallSid", caller.params().at("CallSid")},
                         {"RecordingSid", recording.sid},
                         {"RecordingUrl", recording.url},
                         {"RecordingStatus", "completed"},
                         {"RecordingDuration", recording.duration},
                         {"RecordingChannels", "1"},
                         {"RecordingSource", "RecordVerb"},
                         {"RecordingStartTime", recording.start_time}};
  caller.session().callback(caller.method_attribute(record, "recordingStatusCallbackMethod"), url, params);
}

}  // namespace

Next play_record(Leg& caller, const pugi::xml_node& record) {
  Session& session = caller.session();
  const Scenario& scenario = session.scenario();
  std::vector<std::string> found;
  const int max_length = integer_attribute(record, "maxLength", 3600, 1, 86400, found);
  integer_attribute(record, "timeout", 5, 0, 3600, found);
  check_choice(record, "playBeep", {"true", "false"}, found);
  check_choice(record, "transcribe", {"true", "false"}, found);
  check_choice(record, "trim", {"trim-silence", "do-not-trim"}, found);
  caller.problems(found);
  const std::string url = caller.absolute_url(record, "action", record.attribute("action").value());

  if (std::string(record.attribute("playBeep").value()) != "false") caller.hear("[beep]");
  const int seconds = std::max(0, std::min(scenario.record_seconds, max_length));
  Recording recording;
  recording.sid = Session::new_sid("RE");
  recording.url = "https://api.twilio.com/2010-04-01/Accounts/" + session.options().account_sid + "/Recordings/" +
                  recording.sid;
  recording.duration = std::to_string(seconds);
  recording.start_time = Session::now_rfc2822();
  caller.seconds += seconds;
  caller.milestone = "voicemail";

  const bool hangup = scenario.hangup_during_record;
  if (hangup) caller.params()["CallStatus"] = "completed";
  Next next = caller.fetch(caller.method_attribute(record, "method"), url,
                           {{"RecordingUrl", recording.url},
                            {"RecordingSid", recording.sid},
                            {"RecordingDuration", recording.duration},
                            {"Digits", hangup ? "hangup" : "#"}});
  send_recording_status(caller, record, recording);
  send_transcription(caller, record, recording, seconds);
  if (hangup && next.kind == Next::Kind::kDocument) return Next::stop(LegEnd::kHungUpInRecord);
  return next;
}

}  // namespace callsim
