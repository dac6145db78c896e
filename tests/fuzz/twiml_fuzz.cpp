// libFuzzer target: whatever text goes into the TwiML builder (caller names, prompts), the document must parse as
// XML and give the text back (minus characters XML cannot carry).
#include <cstddef>
#include <cstdint>
#include <pugixml.hpp>
#include <string>

#include "twiml/document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  switchboard::twiml::Document document;
  document.verb("Say").attr("voice", text).text(text);
  document.verb("Gather").attr("action", text).child("Say").text(text);
  const std::string xml = document.str();
  pugi::xml_document parsed;
  if (!parsed.load_string(xml.c_str())) __builtin_trap();
  // Printable ASCII needs no repair, so it must come back exactly (markup characters included).
  bool printable = true;
  for (char c : text) printable = printable && c >= 0x20 && c <= 0x7E;
  const std::string round_trip = parsed.child("Response").child("Say").text().get();
  if (printable && !text.empty() && text.find_first_not_of(' ') != std::string::npos && round_trip != text) {
    __builtin_trap();
  }
  return 0;
}
