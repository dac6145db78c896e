// <Record> on the caller's leg: the caller leaves a message of Scenario::record_seconds (or hangs up), the action
// is requested with the recording's URL, then the recording (and transcription) callbacks follow.
#pragma once

#include <pugixml.hpp>

#include "callsim/leg.h"

namespace callsim {

Next play_record(Leg& caller, const pugi::xml_node& record);

}  // namespace callsim
