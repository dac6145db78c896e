// libphonenumber's verdict on a number's type, reduced to "can it take a text back".
#include "text/phone_number.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "config/settings.h"

namespace switchboard::text {

bool looks_mobile(const std::string& e164) {
  // The library's parser is lenient (spaces, dashes, letters, a national 0 after the country code): only the exact
  // E.164 form goes in, so the number judged is the number the text would go to.
  if (!config::is_e164(e164)) return false;
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  // "ZZ": no default region, the leading + and country code say it.
  if (util.Parse(e164, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  std::string formatted;
  util.Format(number, PhoneNumberUtil::E164, &formatted);
  if (formatted != e164 || !util.IsValidNumber(number)) return false;
  switch (util.GetNumberType(number)) {
    case PhoneNumberUtil::MOBILE:
    // NANP numbers share their ranges between fixed lines and mobiles (and number portability moves them across):
    // the metadata cannot tell, and most US callers who dial a business are on a mobile today.
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
      return true;
    // VOIP: ranges set aside for internet telephony (UK 056, …) mostly end in softphones and office PBXs that take no
    // SMS; a text Twilio bills for and nobody reads is worse than none. (VoIP services that hand out ordinary mobile
    // or NANP numbers are judged by those ranges, above.)
    case PhoneNumberUtil::VOIP:
    // PERSONAL_NUMBER: "follow-me" numbers that forward to whatever phone their owner names (UK 070, NANP 5XX): no
    // telling whether a text arrives anywhere, and UK 070 is a known premium-rate trap.
    case PhoneNumberUtil::PERSONAL_NUMBER:
    case PhoneNumberUtil::FIXED_LINE:
    case PhoneNumberUtil::TOLL_FREE:
    case PhoneNumberUtil::PREMIUM_RATE:
    case PhoneNumberUtil::SHARED_COST:
    case PhoneNumberUtil::PAGER:
    case PhoneNumberUtil::UAN:
    case PhoneNumberUtil::VOICEMAIL:
    case PhoneNumberUtil::UNKNOWN:
      return false;
  }
  return false;
}

}  // namespace switchboard::text
