// An SMS's delivery status only moves forward, whatever order Twilio's callbacks come in.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>

#include "store/delivery_status.h"
#include "webhooks/call_update.h"
#include "../support/events.h"

using namespace switchboard;
using switchboard::test::make_event;


BOOST_AUTO_TEST_SUITE(store_delivery_status)

BOOST_AUTO_TEST_CASE(EveryOrderOfTheCallbacksEndsDelivered) {
  std::array<std::string, 4> reports{"queued", "sending", "sent", "delivered"};
  std::sort(reports.begin(), reports.end());
  do {
    std::optional<std::string> status;
    for (const std::string& report : reports) {
      if (store::delivery_advances(status, report)) status = report;
    }
    BOOST_TEST(*status == "delivered");
  } while (std::next_permutation(reports.begin(), reports.end()));
}

BOOST_AUTO_TEST_CASE(TheFirstFinalStatusStays) {
  BOOST_TEST(!store::delivery_advances(std::string("undelivered"), "delivered"));
  BOOST_TEST(!store::delivery_advances(std::string("delivered"), "failed"));
  BOOST_TEST(store::delivery_advances(std::string("sent"), "undelivered"));
  BOOST_TEST(!store::delivery_advances(std::string("sent"), "sent"));
}

BOOST_AUTO_TEST_CASE(UnknownWordsNeverDisplaceAStatus) {
  BOOST_TEST(!store::delivery_advances(std::nullopt, "exploded"));
  BOOST_TEST(!store::delivery_advances(std::string("queued"), ""));
  BOOST_TEST(store::delivery_failed("undelivered"));
  BOOST_TEST(store::delivery_failed("failed"));
  BOOST_TEST(!store::delivery_failed("delivered"));
}

BOOST_AUTO_TEST_CASE(AMessageStatusCallbackIsAReceiptForItsRowAndSaysNothingOfTheCall) {
  const store::Event event = make_event("CA1", "message-status", "call=CA1&notification=12",
                     {{"MessageSid", "SM1"}, {"MessageStatus", "undelivered"}, {"ErrorCode", "30003"},
                      {"From", "+15005550006"}, {"To", "+14155550111"}}, 1);
  const store::CallUpdate update = webhooks::update_for(event);
  BOOST_REQUIRE(update.message_receipt.has_value());
  BOOST_TEST(update.message_receipt->notification_id == 12);
  BOOST_TEST(update.message_receipt->message_sid == "SM1");
  BOOST_TEST(update.message_receipt->status == "undelivered");
  BOOST_TEST(*update.message_receipt->error_code == "30003");
  BOOST_TEST(!update.from.has_value());  // the SMS's From is the Twilio number, not the caller
  BOOST_TEST(!update.status.has_value());
}

BOOST_AUTO_TEST_CASE(AReceiptWithoutItsRowOrStatusIsNone) {
  const store::Event no_row = make_event("CA1", "message-status", "call=CA1", {{"MessageSid", "SM1"}, {"MessageStatus", "sent"}}, 1);
  BOOST_TEST(!webhooks::update_for(no_row).message_receipt.has_value());
  const store::Event bad_row = make_event("CA1", "message-status", "call=CA1&notification=1x", {{"MessageSid", "SM1"},
                                                                            {"MessageStatus", "sent"}}, 1);
  BOOST_TEST(!webhooks::update_for(bad_row).message_receipt.has_value());
  const store::Event no_status = make_event("CA1", "message-status", "notification=3", {{"MessageSid", "SM1"}}, 1);
  BOOST_TEST(!webhooks::update_for(no_status).message_receipt.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
