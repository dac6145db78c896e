// Twilio's webhook parameter names and values, spelled once. Twilio's names are case-sensitive and a typo silently
// takes the wrong branch, so code and tests use these constants instead of literals (twilio-contract.md §1–5).
#pragma once

namespace switchboard::twilio::param {

// Sent with every voice webhook.
inline constexpr char kCallSid[] = "CallSid";
inline constexpr char kAccountSid[] = "AccountSid";
inline constexpr char kFrom[] = "From";
inline constexpr char kTo[] = "To";
inline constexpr char kCallStatus[] = "CallStatus";
inline constexpr char kDirection[] = "Direction";
inline constexpr char kCallerName[] = "CallerName";
inline constexpr char kParentCallSid[] = "ParentCallSid";
inline constexpr char kFromCity[] = "FromCity";
inline constexpr char kFromState[] = "FromState";
inline constexpr char kFromCountry[] = "FromCountry";

// <Gather> action.
inline constexpr char kDigits[] = "Digits";

// <Dial> action.
inline constexpr char kDialCallStatus[] = "DialCallStatus";
inline constexpr char kDialCallSid[] = "DialCallSid";
inline constexpr char kDialCallDuration[] = "DialCallDuration";
inline constexpr char kDialBridged[] = "DialBridged";

// <Record> action and recording status callback.
inline constexpr char kRecordingSid[] = "RecordingSid";
inline constexpr char kRecordingUrl[] = "RecordingUrl";
inline constexpr char kRecordingDuration[] = "RecordingDuration";
inline constexpr char kRecordingStatus[] = "RecordingStatus";

// Transcription callback.
inline constexpr char kTranscriptionText[] = "TranscriptionText";
inline constexpr char kTranscriptionStatus[] = "TranscriptionStatus";

// Call status callback.
inline constexpr char kCallDuration[] = "CallDuration";
inline constexpr char kTimestamp[] = "Timestamp";
inline constexpr char kSequenceNumber[] = "SequenceNumber";

// Message status callback (an SMS sent with a StatusCallback).
inline constexpr char kMessageSid[] = "MessageSid";
inline constexpr char kMessageStatus[] = "MessageStatus";
inline constexpr char kErrorCode[] = "ErrorCode";
// On a request to the number's VoiceFallbackUrl: the URL whose request failed (with ErrorCode).
inline constexpr char kErrorUrl[] = "ErrorUrl";

}  // namespace switchboard::twilio::param

namespace switchboard::twilio::status {

inline constexpr char kQueued[] = "queued";
inline constexpr char kInitiated[] = "initiated";
inline constexpr char kRinging[] = "ringing";
inline constexpr char kInProgress[] = "in-progress";
inline constexpr char kCompleted[] = "completed";
inline constexpr char kBusy[] = "busy";
inline constexpr char kFailed[] = "failed";
inline constexpr char kNoAnswer[] = "no-answer";
inline constexpr char kCanceled[] = "canceled";

}  // namespace switchboard::twilio::status
