// What a caller's number looks like it can receive: libphonenumber's metadata (Google's, the field's standard, as
// Debian's libphonenumber-dev ships it) says of an E.164 number whether its range is mobile, fixed line, toll free,
// and so on. Used for the text back (store/text_back.h): a text goes only to a number that looks like a mobile.
// The metadata is the library's build: a range a country opened since may be judged "unknown" (no text) until the
// package is updated. libphonenumber stays behind this header; nothing else includes it.
#pragma once

#include <string>

namespace switchboard::text {

// Whether `e164` (exactly "+" and digits, as Twilio sends From) is a valid number whose range is mobile, or one
// where the numbering plan does not tell mobiles apart (NANP: the United States, Canada, …). Fixed lines, toll free,
// premium rate, shared cost, VoIP, personal numbers, pagers, UAN, voicemail access numbers, unknown ranges,
// invalid numbers and anything not E.164 are not. The first call loads the metadata (about 20 ms); later calls take
// tens of microseconds. Thread-safe.
bool looks_mobile(const std::string& e164);

}  // namespace switchboard::text
