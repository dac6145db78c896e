// Parsing JSON the code under test produced, so tests compare fields rather than strings.
#pragma once

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <string>

namespace switchboard::test {

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  BOOST_REQUIRE_MESSAGE(!document.HasParseError(), "not valid JSON ("
                                                       << rapidjson::GetParseError_En(document.GetParseError())
                                                       << " at " << document.GetErrorOffset() << "): " << text);
  return document;
}

// The string at `value`, which must be a JSON string.
inline std::string string_of(const rapidjson::Value& value) {
  BOOST_REQUIRE(value.IsString());
  return std::string(value.GetString(), value.GetStringLength());
}

}  // namespace switchboard::test
