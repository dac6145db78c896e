// DATETIME text for Unix milliseconds, written digit by digit: padding, the epoch, the last storable millisecond,
// and the round trip through from_sql_datetime(); and the UTF-8 check the JSON writer relies on to skip a copy.
#include <boost/test/unit_test.hpp>

#include "store/sql_time.h"
#include "text/utf8.h"

namespace store = switchboard::store;
namespace text = switchboard::text;

BOOST_AUTO_TEST_SUITE(sql_time)

BOOST_AUTO_TEST_CASE(datetimes_are_zero_padded_utc_with_milliseconds) {
  BOOST_TEST(store::to_sql_datetime(0) == "1970-01-01 00:00:00.000");
  BOOST_TEST(store::to_sql_datetime(1764147600007) == "2025-11-26 09:00:00.007");
  BOOST_TEST(store::to_sql_datetime(1709251199999) == "2024-02-29 23:59:59.999");
  BOOST_TEST(store::to_sql_datetime(store::kLatestStorableMs) == "2038-01-19 03:14:07.999");
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{951782400123}, std::int64_t{1764147600007},
                          store::kLatestStorableMs}) {
    BOOST_TEST(store::from_sql_datetime(store::to_sql_datetime(ms)) == ms);
  }
}

BOOST_AUTO_TEST_CASE(valid_utf8_is_recognised_without_repair) {
  BOOST_TEST(text::is_valid_utf8(""));
  BOOST_TEST(text::is_valid_utf8("Ada Lovelace"));
  BOOST_TEST(text::is_valid_utf8("Zoë Ångström 日本 🎉"));
  BOOST_TEST(!text::is_valid_utf8("caf\xE9"));          // Latin-1
  BOOST_TEST(!text::is_valid_utf8("\xC0\xAF"));         // overlong
  BOOST_TEST(!text::is_valid_utf8("\xED\xA0\x80"));     // a surrogate
  BOOST_TEST(!text::is_valid_utf8("end\xE2\x82"));      // cut short
  BOOST_TEST(text::valid_utf8("caf\xE9") == "caf\xEF\xBF\xBD");
  BOOST_TEST(text::valid_utf8("Zoë") == "Zoë");
}

BOOST_AUTO_TEST_SUITE_END()
