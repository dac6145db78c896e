// Every URL Twilio is sent to, named once. The server's routing table and every action/url attribute in the TwiML
// take their paths from here, so a path can never drift between where it is handed out and where it is served.
#pragma once

#include <string>

namespace switchboard::ivr::route {

inline constexpr char kVoice[] = "/twilio/voice";                        // incoming call (the number's Voice URL)
inline constexpr char kMenu[] = "/twilio/voice/menu";                    // <Gather> action of the main menu
inline constexpr char kScreen[] = "/twilio/voice/screen";                // <Number url>: runs on the forwarded leg
inline constexpr char kScreenResult[] = "/twilio/voice/screen-result";   // <Gather> action on the forwarded leg
inline constexpr char kDialResult[] = "/twilio/voice/dial-result";       // <Dial action>
inline constexpr char kVoicemailDone[] = "/twilio/voice/voicemail-done"; // <Record action>
inline constexpr char kRecordingStatus[] = "/twilio/recording-status";   // <Record recordingStatusCallback>
inline constexpr char kTranscription[] = "/twilio/transcription";        // <Record transcribeCallback>
inline constexpr char kCallStatus[] = "/twilio/call-status";             // the number's StatusCallback

// Absolute URL of `path` under the public base URL, with an optional query ("attempt=2"). Twilio needs absolute
// URLs to sign what it requests exactly as we verify it.
std::string url(const std::string& public_base_url, const char* path, const std::string& query = "");

}  // namespace switchboard::ivr::route
