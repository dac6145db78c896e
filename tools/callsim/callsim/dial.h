// <Dial> on the caller's leg: its <Number>s ring at once and the scenario decides how each phone answers; the
// answering phone's <Number url> runs the screening leg on it; then the Dial action is requested with
// DialCallStatus, DialBridged and the rest.
#pragma once

#include <pugixml.hpp>

#include "callsim/leg.h"

namespace callsim {

Next play_dial(Leg& caller, const pugi::xml_node& dial);

}  // namespace callsim
